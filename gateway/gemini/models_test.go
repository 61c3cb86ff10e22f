package gemini

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/quirehq/quire/gateway"
)

func TestModelsPages(t *testing.T) {
	fake := newFake(t)
	models, err := newProvider(t, fake).Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range models {
		if m.OwnedBy != "google" {
			t.Fatalf("model %+v", m)
		}
		ids = append(ids, m.ID)
	}
	if want := []string{"gemini-2.5-flash", "gemini-2.5-pro", "gemini-embedding-001", "gemini-3-pro-preview", "gemma-3-27b-it"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %v", ids)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Method != http.MethodGet || reqs[0].Path != "/v1beta/models" || reqs[0].RawQuery != "pageSize=1000" ||
		reqs[1].RawQuery != "pageSize=1000&pageToken=Chxtb2RlbHMvZ2VtaW5pLWVtYmVkZGluZy0wMDE" || reqs[1].Header.Get("X-Goog-Api-Key") != testKey {
		t.Fatalf("requests %+v", reqs)
	}
	if reqs[0].Header.Get("Content-Type") != "" || len(reqs[0].Body) != 0 {
		t.Fatalf("a GET with a body: %v", reqs[0].Header)
	}
}

func TestModelsVertex(t *testing.T) {
	fake := newFake(t)
	models, err := newVertex(t, fake).Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 2 || models[0].ID != "gemini-2.5-flash" || models[1].ID != "text-embedding-005" {
		t.Fatalf("models %+v", models)
	}
	if r := fake.Last(); r.Path != "/v1beta1/publishers/google/models" || r.Header.Get("Authorization") == "" {
		t.Fatalf("request %s %v", r.Path, r.Header)
	}
}

// TestModelsPageLoop: a server that hands out the same page token again
// does not keep the lister going forever.
func TestModelsPageLoop(t *testing.T) {
	fake := newFake(t)
	fake.Handle("models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"models":[{"name":"models/m"}],"nextPageToken":"again"}`)
	})
	fake.Handle("models_again", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"models":[{"name":"models/x"}],"nextPageToken":"again"}`)
	})
	_, err := newProvider(t, fake).Models(context.Background())
	if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrInvalidJSON) || len(fake.Requests()) != 2 {
		t.Fatalf("got %+v after %d requests", pe, len(fake.Requests()))
	}
}
