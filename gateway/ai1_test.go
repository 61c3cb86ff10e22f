package gateway

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// providerSDKs are the vendor client modules; only the gateway's tests may
// import them (as clients of Quire's own endpoints).
var providerSDKs = []string{
	"github.com/openai/openai-go",
	"github.com/anthropics/anthropic-sdk-go",
	"google.golang.org/genai",
	"github.com/cohere-ai/",
	"github.com/sashabaranov/go-openai",
	"github.com/liushuangls/go-anthropic",
}

// hostAllowed lists the non-gateway files that may name a provider host,
// and why: none of them sends a request.
var hostAllowed = map[string]string{
	"config/validate_ai.go": "an example endpoint in a validation message",
	"trust/ai.go":           "the AI-1 check sends to these hosts to prove the fence refuses them",
}

var urlish = regexp.MustCompile(`(?i)(?:https?://)?([a-z0-9.-]+\.[a-z]{2,})`)

// TestOnlyTheGatewayTalksToProviders is claim AI-1's static half: no code
// outside gateway/ imports a provider SDK or names a provider host. (The
// runtime half is Fence, installed as the default transport.)
func TestOnlyTheGatewayTalksToProviders(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from the gateway package: %v", err)
	}
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "gateway" || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "tools" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		files++
		isTest := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, sdk := range providerSDKs {
				if strings.HasPrefix(p, sdk) && !isTest {
					t.Errorf("%s imports the provider SDK %s: AI calls go through the gateway (claim AI-1)", rel, p)
				}
			}
		}
		if isTest || hostAllowed[rel] != "" {
			return nil
		}
		full, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(full, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			for _, m := range urlish.FindAllStringSubmatch(s, -1) {
				if IsProviderHost(m[1]) {
					t.Errorf("%s:%d names the provider host %s: AI calls go through the gateway (claim AI-1)", rel, fset.Position(lit.Pos()).Line, m[1])
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("scanned only %d Go files outside gateway/: the walk is broken", files)
	}
}
