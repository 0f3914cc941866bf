// Package logx carries the library's log events to one process-wide sink:
// each event a JSON object with a stable dotted name, a level, a message and
// fields. Events are built only when their level is on, so logging that is
// off costs one atomic load. Every text field has T.C. identity numbers
// masked; callers never pass a password, token or OTAC.
package logx

import (
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/teleradyoloji/teleradyoloji/core/internal/mask"
)

// Level is an event's severity; the values are the ABI's TRL_LOG_*.
type Level int32

// The levels. A sink set with level L receives events of levels 1..L.
const (
	Off   Level = 0
	Error Level = 1
	Warn  Level = 2
	Info  Level = 3
	Debug Level = 4
)

// Sink receives each event's level and JSON text. It must not block and
// must not keep event after returning (the bytes are reused).
type Sink func(level Level, event []byte)

var (
	maxLevel atomic.Int32
	sink     atomic.Pointer[Sink]
)

// Set makes s receive the events of levels 1..level; a nil s or level Off
// turns logging off.
func Set(s Sink, level Level) {
	if s == nil || level <= Off {
		maxLevel.Store(int32(Off))
		sink.Store(nil)
		return
	}
	level = min(level, Debug)
	sink.Store(&s)
	maxLevel.Store(int32(level))
}

// SetLevel changes the level of the sink already set (Off: no events).
func SetLevel(level Level) { maxLevel.Store(int32(min(max(level, Off), Debug))) }

// On reports whether an event of level l would be delivered.
func On(l Level) bool { return l > Off && l <= Level(maxLevel.Load()) }

// Event is an event being built; a nil *Event (logging off) ignores every
// method, so call sites need no check of their own.
type Event struct {
	level Level
	buf   []byte
}

// New starts an event named name (e.g. "token.fetched"), or returns nil
// when level l is off.
func New(l Level, name, message string) *Event {
	if !On(l) {
		return nil
	}
	e := &Event{level: l, buf: make([]byte, 0, 256)}
	e.buf = append(e.buf, `{"event":`...)
	e.buf = appendString(e.buf, name)
	e.buf = append(e.buf, `,"level":`...)
	e.buf = strconv.AppendInt(e.buf, int64(l), 10)
	e.buf = append(e.buf, `,"message":`...)
	e.buf = appendString(e.buf, mask.IdentityNumbers(message))
	e.buf = append(e.buf, `,"time":"`...)
	e.buf = time.Now().UTC().AppendFormat(e.buf, "2006-01-02T15:04:05.000Z07:00")
	e.buf = append(e.buf, '"')
	return e
}

func (e *Event) key(k string) {
	e.buf = append(e.buf, ',')
	e.buf = appendString(e.buf, k)
	e.buf = append(e.buf, ':')
}

// Str adds a text field, identity numbers masked; "" is left out.
func (e *Event) Str(k, v string) *Event {
	if e == nil || v == "" {
		return e
	}
	e.key(k)
	e.buf = appendString(e.buf, mask.IdentityNumbers(v))
	return e
}

// Int adds a number field.
func (e *Event) Int(k string, v int64) *Event {
	if e == nil {
		return e
	}
	e.key(k)
	e.buf = strconv.AppendInt(e.buf, v, 10)
	return e
}

// Ms adds a duration in whole milliseconds.
func (e *Event) Ms(k string, d time.Duration) *Event {
	return e.Int(k, d.Milliseconds())
}

// Bool adds a true/false field.
func (e *Event) Bool(k string, v bool) *Event {
	if e == nil {
		return e
	}
	e.key(k)
	e.buf = strconv.AppendBool(e.buf, v)
	return e
}

// Send delivers the event to the sink.
func (e *Event) Send() {
	if e == nil {
		return
	}
	e.buf = append(e.buf, '}')
	if s := sink.Load(); s != nil && On(e.level) {
		(*s)(e.level, e.buf)
	}
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string; bytes that are not UTF-8 become
// U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, "\ufffd"...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&15])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
