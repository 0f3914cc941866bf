//go:build !windows

package sysproxy

import (
	"net/url"

	"golang.org/x/net/http/httpproxy"
)

// lookup: the environment (HTTPS_PROXY, NO_PROXY), read on each call.
func lookup(hostport, host string) (Choice, error) {
	env := httpproxy.FromEnvironment()
	u, err := env.ProxyFunc()(&url.URL{Scheme: "https", Host: hostport})
	switch {
	case err != nil:
		return Choice{Source: Unreadable}, err
	case u != nil:
		return Choice{Proxy: u.Host, Source: Static}, nil
	case env.HTTPSProxy != "":
		return Choice{Source: Bypassed}, nil
	}
	return Choice{Source: NotSet}, nil
}
