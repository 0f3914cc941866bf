module github.com/teleradyoloji/teleradyoloji

go 1.26.8

require (
	github.com/goccy/go-json v0.10.5
	github.com/valyala/fasthttp v1.78.0
	golang.org/x/net v0.62.0
)

require (
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/molecule-man/go-brrr v1.3.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
