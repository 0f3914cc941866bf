package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestEveryExportRecoversPanics: every trlgo_* export that does work starts
// with `defer guard(...)`, so a panic becomes TRL_E_INTERNAL, never a crash.
func TestEveryExportRecoversPanics(t *testing.T) {
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	var decls []ast.Decl
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		decls = append(decls, f.Decls...)
	}
	static := map[string]bool{"trlgo_abi_version": true, "trlgo_version": true, "trlgo_status_name": true}
	n := 0
	for _, d := range decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Doc == nil || !isExport(fn.Doc) {
			continue
		}
		n++
		if static[fn.Name.Name] {
			continue
		}
		first, ok := fn.Body.List[0].(*ast.DeferStmt)
		if !ok || first.Call.Fun.(*ast.Ident).Name != "guard" {
			t.Errorf("%s does not start with defer guard(...)", fn.Name.Name)
		}
	}
	header, _ := os.ReadFile("../include/teleradyoloji.h")
	want := len(regexp.MustCompile(`TRL_CALL\s+\**\s*trl_[a-z_]+\s*\(`).FindAll(header, -1)) - 1
	if n != want { // every header function but trl_free, which never enters Go
		t.Errorf("%d trlgo_ exports, want %d", n, want)
	}
}

// TestShimWrapsEveryExport: shim.c defines each header function, and each
// but trl_free goes through run() to a THUNK calling its trlgo_ twin.
func TestShimWrapsEveryExport(t *testing.T) {
	header, _ := os.ReadFile("../include/teleradyoloji.h")
	shim, _ := os.ReadFile("shim.c")
	decl := regexp.MustCompile(`TRL_CALL\s+\**\s*(trl_[a-z_]+)\s*\(`)
	var want, got []string
	for _, m := range decl.FindAllStringSubmatch(string(header), -1) {
		want = append(want, m[1])
	}
	defs := decl.FindAllStringSubmatchIndex(string(shim), -1)
	for i, m := range defs {
		name := string(shim[m[2]:m[3]])
		got = append(got, name)
		end := len(shim)
		if i+1 < len(defs) {
			end = defs[i+1][0]
		}
		body := string(shim[m[1]:end])
		short := name[len("trl_"):]
		thunk := regexp.MustCompile(`(?s)THUNK\(` + short + `,.*?trlgo_` + short + `\(`)
		if name != "trl_free" && (!strings.Contains(body, "run("+short+"_thunk") || !thunk.MatchString(string(shim))) {
			t.Errorf("%s does not go through run() and a THUNK calling trlgo_%s", name, short)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(want, ",") != strings.Join(got, ",") {
		t.Fatalf("header declares %v, shim defines %v", want, got)
	}
}
func isExport(doc *ast.CommentGroup) bool {
	for _, c := range doc.List {
		if strings.HasPrefix(c.Text, "//export trlgo_") {
			return true
		}
	}
	return false
}
