// Command teleradyoloji is the library's support tool. Its one command,
// doctor, checks step by step whether this computer can reach the
// Ministry's OGN, integration API and viewer with a configuration, and says
// what to do (in Turkish, or English with --lang en):
//
//	teleradyoloji doctor ayarlar.json
//	TELERADYOLOJI_PASSWORD=... teleradyoloji doctor < ayarlar.json
//	teleradyoloji doctor --lang en --json ayarlar.json
//
// The configuration is the library's config JSON (trl_client_new). The
// exit status is 0 only when every check passed, 1 when one failed, 2 when
// the command could not run. It needs no other file.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/teleradyoloji/teleradyoloji/core"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `teleradyoloji %s: the support tool of the teleradyoloji library

  teleradyoloji doctor [options] [CONFIG.json]   check the connection to the Ministry
  teleradyoloji version                          print the version

doctor reads the library's config JSON from CONFIG.json, or from standard
input when no file (or "-") is given. Options:

  --lang tr|en          the report's language (default tr: Turkish)
  --json                print the report as JSON (both languages)
  --password-env NAME   take the e-Nabız password from the environment
                        variable NAME (default TELERADYOLOJI_PASSWORD, used
                        when set), so it is not typed on a command line or
                        kept in the file
  -v                    also print the library's log events (to stderr)

Exit status: 0 when every check passed, 1 when one failed, 2 on a usage error.
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	consoleUTF8()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, usage, core.Version)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "version", "--version":
		fmt.Fprintf(stdout, "teleradyoloji %s (C ABI %d)\n", core.Version, core.ABIVersion)
		return 0
	case "doctor":
		return doctor(args[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "teleradyoloji: unknown command %q (try: teleradyoloji doctor CONFIG.json)\n", args[0])
	return 2
}

func doctor(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "tr", "tr or en")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	passwordEnv := fs.String("password-env", "TELERADYOLOJI_PASSWORD", "environment variable holding the e-Nabız password")
	verbose := fs.Bool("v", false, "print log events to stderr")
	if err := fs.Parse(reorder(args)); err != nil {
		return 2
	}
	if *lang != "tr" && *lang != "en" {
		fmt.Fprintln(stderr, "teleradyoloji doctor: --lang must be tr or en")
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "teleradyoloji doctor: one config file at most")
		return 2
	}
	config, err := readConfig(fs.Arg(0), stdin)
	if err == nil {
		config, err = withPassword(config, os.Getenv(*passwordEnv))
	}
	if err != nil {
		if *lang == "en" {
			fmt.Fprintf(stderr, "teleradyoloji doctor: %v\n", err)
		} else {
			fmt.Fprintf(stderr, "teleradyoloji doctor: %v\n", turkishReadError(err))
		}
		return 2
	}
	if *verbose {
		core.SetLog(func(_ int32, ev []byte) { fmt.Fprintf(stderr, "%s\n", ev) }, core.LogDebug)
	}
	rep := core.DiagnoseConfig(config)
	core.SetLog(nil, 0)
	if *asJSON {
		stdout.Write(rep.JSON())
		fmt.Fprintln(stdout)
	} else {
		printReport(stdout, rep, *lang == "en")
	}
	if !rep.OK {
		return 1
	}
	return 0
}

// reorder puts flags before the file name, so that both
// "doctor f.json --json" and "doctor --json f.json" work.
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-" || !strings.HasPrefix(a, "-"):
			rest = append(rest, a)
		case (a == "--lang" || a == "-lang" || a == "--password-env" || a == "-password-env") && i+1 < len(args):
			flags = append(flags, a, args[i+1])
			i++
		default:
			flags = append(flags, a)
		}
	}
	return append(flags, rest...)
}

var (
	errNoConfig   = errors.New("no configuration: give a config JSON file, or pipe one to standard input")
	errNotJSON    = errors.New("the configuration is not a JSON object")
	errUnreadable = errors.New("the configuration file cannot be read")
)

// readConfig reads the config JSON from path, or stdin for "" and "-".
func readConfig(path string, stdin io.Reader) ([]byte, error) {
	var b []byte
	var err error
	if path == "" || path == "-" {
		if f, ok := stdin.(*os.File); ok && path == "" {
			if st, serr := f.Stat(); serr == nil && st.Mode()&os.ModeCharDevice != 0 {
				return nil, errNoConfig // a terminal: nothing piped in
			}
		}
		b, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errUnreadable, path)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, errNoConfig
	}
	return b, nil
}

// withPassword sets "password" from the environment when given.
func withPassword(config []byte, password string) ([]byte, error) {
	if password == "" {
		return config, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(config, &obj); err != nil {
		return nil, errNotJSON
	}
	pw, _ := json.Marshal(password)
	obj["password"] = pw
	return json.Marshal(obj)
}

func turkishReadError(err error) string {
	switch {
	case errors.Is(err, errNoConfig):
		return "ayar yok: bir ayar (JSON) dosyası verin ya da ayarları standart girdiden gönderin"
	case errors.Is(err, errNotJSON):
		return "ayarlar bir JSON nesnesi değil"
	case errors.Is(err, errUnreadable):
		return "ayar dosyası okunamadı: " + strings.TrimPrefix(err.Error(), errUnreadable.Error()+": ")
	}
	return err.Error()
}
