package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeMountsDocumentedRoutes checks the routes the OpenAPI document
// lists that serve mounts beside the HTTP server's own (the AI gateway
// and the trust report; the http package checks the rest): each exists,
// for its method, on a running quire serve.
func TestServeMountsDocumentedRoutes(t *testing.T) {
	s := startServe(t, filepath.Join(t.TempDir(), "data"))
	c := client(t, s.data)
	resp, err := c.Get(s.url + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %d %v", resp.StatusCode, err)
	}
	checked := 0
	for path, ops := range doc.Paths {
		if !strings.HasPrefix(path, "/v1/") && !strings.HasPrefix(path, "/anthropic/") && !strings.HasPrefix(path, "/trust") {
			continue
		}
		for method := range ops {
			method = strings.ToUpper(method)
			if method == "PARAMETERS" {
				continue
			}
			req, _ := http.NewRequest(method, s.url+path, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// The router's own answers to a route it does not have.
			if resp.StatusCode == http.StatusMethodNotAllowed ||
				resp.StatusCode == http.StatusNotFound && strings.Contains(string(body), `"Not found."`) {
				t.Errorf("%s %s is documented but serve does not route it: %d %s", method, path, resp.StatusCode, body)
			}
			checked++
		}
	}
	if checked < 8 {
		t.Fatalf("checked %d routes mounted by serve, want the 6 gateway routes and the 2 trust routes", checked)
	}
}
