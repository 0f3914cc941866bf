package main

import (
	"sync"

	"github.com/teleradyoloji/teleradyoloji/core"
)

// registry maps handles to clients. Ids count up from 1 and are never
// reused, so a stale or made-up handle is simply not found.
var registry = struct {
	sync.RWMutex
	next    uintptr
	clients map[uintptr]*core.Client
}{clients: map[uintptr]*core.Client{}}

func register(c *core.Client) uintptr {
	registry.Lock()
	defer registry.Unlock()
	registry.next++
	registry.clients[registry.next] = c
	return registry.next
}

func lookup(h uintptr) (*core.Client, bool) {
	registry.RLock()
	c, ok := registry.clients[h]
	registry.RUnlock()
	return c, ok
}

// unregister removes h and returns its client.
func unregister(h uintptr) (*core.Client, bool) {
	registry.Lock()
	defer registry.Unlock()
	c, ok := registry.clients[h]
	delete(registry.clients, h)
	return c, ok
}
