// Command teleradyoloji-sandbox serves a fake OGN, integration API and viewer
// on loopback. It prints its base URL on the first line of stdout and serves
// until SIGINT or SIGTERM. See docs/sandbox.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any free port)")
	inst := flag.String("institution-code", sandbox.InstitutionCode, "accepted institution code (UserName)")
	pass := flag.String("password", sandbox.Password, "accepted e-Nabız password")
	app := flag.String("application-code", sandbox.ApplicationCode, "accepted application code")
	caFile := flag.String("tls-ca", "", "serve HTTPS and write the test CA's PEM to this file")
	idle := flag.Int("idle-timeout-ms", 0, "close connections idle that long (TLS with close_notify); 0 keeps them")
	var names []string
	flag.Func("tls-name", "a host name the HTTPS certificate is also valid for (repeatable)", func(n string) error {
		names = append(names, n)
		return nil
	})
	flag.Parse()

	s, err := sandbox.Start(sandbox.Options{
		Addr:            fmt.Sprintf("127.0.0.1:%d", *port),
		InstitutionCode: *inst,
		Password:        *pass,
		ApplicationCode: *app,
		TLS:             *caFile != "",
		IdleTimeout:     time.Duration(*idle) * time.Millisecond,
		TLSNames:        names,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "teleradyoloji-sandbox:", err)
		os.Exit(1)
	}
	if *caFile != "" {
		if err := os.WriteFile(*caFile, s.CACertPEM(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "teleradyoloji-sandbox:", err)
			os.Exit(1)
		}
	}
	fmt.Println(s.URL())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	s.Close()
}
