package password

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestConstantTimeCompare reads the package source: Verify must compare
// keys with crypto/subtle, and no file may compare bytes any other way.
func TestConstantTimeCompare(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	var subtleInVerify bool
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if fn, ok := n.(*ast.FuncDecl); ok && fn.Name.Name == "Verify" {
				subtleInVerify = calls(fn, "subtle", "ConstantTimeCompare")
			}
			return true
		})
		for _, bad := range [][2]string{{"bytes", "Equal"}, {"bytes", "Compare"}, {"reflect", "DeepEqual"}} {
			if calls(f, bad[0], bad[1]) {
				t.Errorf("%s calls %s.%s: compare secrets with crypto/subtle", name, bad[0], bad[1])
			}
		}
	}
	if !subtleInVerify {
		t.Fatal("Verify does not call subtle.ConstantTimeCompare")
	}
}

// calls reports whether node contains a call to pkg.fn.
func calls(node ast.Node, pkg, fn string) bool {
	found := false
	ast.Inspect(node, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == fn {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == pkg {
				found = true
			}
		}
		return !found
	})
	return found
}
