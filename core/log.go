package core

import "github.com/teleradyoloji/teleradyoloji/core/internal/logx"

// The log levels (TRL_LOG_*).
const (
	LogError = int32(logx.Error)
	LogWarn  = int32(logx.Warn)
	LogInfo  = int32(logx.Info)
	LogDebug = int32(logx.Debug)
)

// SetLog sends the library's log events of levels 1..level to sink, each
// one JSON object (see include/teleradyoloji.h, LOGGING); a nil sink or
// level 0 turns logging off. Process-wide. sink must not block or keep the
// event's bytes.
func SetLog(sink func(level int32, event []byte), level int32) {
	if sink == nil {
		logx.Set(nil, logx.Off)
		return
	}
	logx.Set(func(l logx.Level, ev []byte) { sink(int32(l), ev) }, logx.Level(level))
}
