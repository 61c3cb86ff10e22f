package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the nodes visited, so that aliases that refer to aliases
// (a "billion laughs" document) cannot make decoding take forever.
const maxNodes = 100_000

var durationType = reflect.TypeFor[time.Duration]()

// decoder fills a Config from a YAML node tree. It does the work of
// yaml.Node.Decode with KnownFields, which yaml.v3 offers only on a
// Decoder, and more: it expands ${VAR} in scalar values only, accepts "7d"
// durations, and reports every problem with its key path and line without
// quoting the value (yaml.v3 type errors quote the first characters of it,
// which may be part of a secret).
type decoder struct {
	source   string
	lookup   lookupFunc
	lines    map[string]int
	expanded map[*yaml.Node]bool
	budget   int
	probs    problems
}

func newDecoder(source string, lookup lookupFunc) *decoder {
	return &decoder{
		source:   source,
		lookup:   lookup,
		lines:    map[string]int{},
		expanded: map[*yaml.Node]bool{},
		budget:   maxNodes,
	}
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.probs.addAt(d.source, n.Line, path, format, args...)
}

// value decodes n into v, found at key path.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if !d.spend(n, path) {
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // a key with no value is the same as an absent key
	}
	switch {
	case v.Type() == durationType:
		d.duration(n, v, path)
	case v.Kind() == reflect.Struct:
		d.mapping(n, v, path)
	case v.Kind() == reflect.Slice:
		d.sequence(n, v, path)
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
		d.dictionary(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

// spend counts a visit to n against the node budget, reporting once when
// the budget runs out.
func (d *decoder) spend(n *yaml.Node, path string) bool {
	d.budget--
	if d.budget == -1 {
		d.fail(n, path, "the document is too large (too many nodes or aliases)")
	}
	return d.budget >= 0
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if !d.spend(n, path) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of keys (key: value lines), not %s", describeNode(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMerge(n.Content[i]) {
			d.merge(n.Content[i+1], v, path)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if isMerge(k) {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "keys must be plain names")
			continue
		}
		full := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.fail(k, full, "is set twice (first on line %d); keep one", first)
			continue
		}
		seen[k.Value] = k.Line
		idx, ok := fieldIndex(v.Type(), k.Value)
		if !ok {
			d.fail(k, full, "%s", unknownKeyHint(k.Value, v.Type()))
			continue
		}
		d.lines[full] = k.Line
		d.value(val, v.Field(idx), full)
	}
}

// merge applies a YAML merge key (<<: *anchor, or a list of them); earlier
// entries of a list win, and explicit keys win over all of them.
func (d *decoder) merge(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		d.mapping(n, v, path)
	case yaml.SequenceNode:
		for i := len(n.Content) - 1; i >= 0; i-- {
			d.merge(n.Content[i], v, path)
		}
	default:
		d.fail(n, path, "<< must merge a mapping or a list of mappings")
	}
}

// dictionary decodes a mapping whose keys are free names (a map with
// string keys, such as per-category settings); the values are decoded like
// any other field, and the type that owns the map validates the names.
func (d *decoder) dictionary(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of keys (key: value lines), not %s", describeNode(n))
		return
	}
	if len(n.Content) == 0 {
		return // {} is the same as an absent key
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isMerge(k) {
			d.fail(k, path, "keys must be plain names")
			continue
		}
		full := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.fail(k, full, "is set twice (first on line %d); keep one", first)
			continue
		}
		seen[k.Value] = k.Line
		d.lines[full] = k.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.value(val, elem, full)
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(m)
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list (\"- item\" lines or [a, b]), not %s", describeNode(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.lines[p] = item.Line
		d.value(item, s.Index(i), p)
	}
	v.Set(s)
}

func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if !d.expandScalar(n, path) {
		return
	}
	p := reflect.New(v.Type())
	if err := n.Decode(p.Interface()); err != nil {
		d.fail(n, path, "expected %s", describeType(v.Type()))
		return
	}
	v.Set(p.Elem())
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	if !d.expandScalar(n, path) {
		return
	}
	dur, err := parseDuration(n.Value)
	if err != nil {
		d.fail(n, path, "expected %s", describeType(durationType))
		return
	}
	v.SetInt(int64(dur))
}

// expandScalar checks that n is a scalar and expands its ${VAR} references
// once (an anchored node is visited again through each alias). An expanded
// value is typed afresh, as if written unquoted, except that an empty or
// null-looking value stays a string: `http_addr: ${HTTP_ADDR}` with
// HTTP_ADDR="" turns the listener off rather than meaning "absent".
func (d *decoder) expandScalar(n *yaml.Node, path string) bool {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected a single value, not %s", describeNode(n))
		return false
	}
	if d.expanded[n] || !strings.Contains(n.Value, "$") {
		d.expanded[n] = true
		return true
	}
	d.expanded[n] = true
	v, e := expand(n.Value, d.lookup)
	switch {
	case e == nil:
	case e.malformed:
		d.fail(n, path, "malformed ${...} reference: write ${NAME} (letters, digits and _), or $$ for a literal $")
		return false
	default:
		d.fail(n, path, "environment variable %s is not set; export it, or write the value without ${...}", e.name)
		return false
	}
	n.Value = v
	if n.Style&yaml.TaggedStyle == 0 {
		n.Tag, n.Style = "", 0
		if n.ShortTag() == "!!null" {
			n.Tag = "!!str"
		}
	}
	return true
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a single value"
}

func describeType(t reflect.Type) string {
	switch {
	case t == durationType:
		return "a duration such as 30s, 15m, 168h or 7d"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "a whole number"
	case t.Kind() == reflect.Float64:
		return "a number such as 0.15"
	}
	return "text"
}
