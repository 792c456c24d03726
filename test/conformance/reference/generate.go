// The generator behind op 'g': objects of one kind that explore the value space field by field,
// encoded by Kubernetes' own protobuf serializer and printed by its own JSON serializer.
//
// Design. For a kind and a seed, a baseline object is built by walking the kind's Go type with
// reflect and filling EVERY field that has a protobuf tag (pointers set, lists of one or two
// elements, maps of two entries, nested messages down to the leaves; a type already open twice on
// the path is left zero, so recursive types end). The baseline is then walked again to list its
// sites: every field, list element and map value, by path (`spec.containers[0].image`,
// `spec.resources.limits["cpu"]`). Each site has the variants of its Go type: absent/zero, pointer
// to each value, empty and nil lists and maps, edge strings (HTML, control characters, U+2028,
// astral, invalid UTF-8), int64 around 2^53, times, durations, IntOrString, quantities in every
// suffix and form (non-canonical ones written as given), RawExtension and FieldsV1 with whitespace.
// One variant = the baseline with ONE site replaced, so the number of variants grows with the
// fields, not with their combinations. Variants are ordered per seed: grouped by class (string,
// int64, quantity, …), each group shuffled, the groups taken round-robin, so the first few records
// of a kind already cover different classes. Same kind + seed + spice → same records.
//
// Each record carries the storage value Go encodes for the object, the compact JSON Go prints when
// it decodes that value, and (when different) the storage value Go encodes from that JSON, which
// is what an encoder given the JSON must produce.
package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// genRequest is op 'g''s payload (JSON).
type genRequest struct {
	Kind  string `json:"kind"`  // apiVersion/Kind, as listed by op 'k'
	Seed  int64  `json:"seed"`  // baseline values and variant order
	Start int    `json:"start"` // index of the first variant (indexes wrap around the variant list)
	Count int    `json:"count"` // number of records
	// Spice: per mille of the baseline's leaves given an edge value instead of a plain one (0: plain
	// baseline, so a record differs from it in exactly one site).
	Spice int `json:"spice"`
	// Drop: site paths set to their zero value in the baseline before the variant is applied
	// (used to shrink a counterexample); unknown paths are an error.
	Drop []string `json:"drop,omitempty"`
	// Sites: answer the baseline's site paths (pre-order) instead of records.
	Sites bool `json:"sites,omitempty"`
	// Path and Variant: answer only the record of this variant (as named in a record), whatever its
	// index; unlike an index, this survives Drop.
	Path    string `json:"path,omitempty"`
	Variant string `json:"variant,omitempty"`
}

// genRecord is one generated object.
type genRecord struct {
	Index   int    `json:"index"`   // variant index (reproduce with start=index, count=1)
	Of      int    `json:"of"`      // number of variants of this baseline
	Path    string `json:"path"`    // the site replaced ("" for whole-object variants)
	Variant string `json:"variant"` // what it was replaced with
	Value   []byte `json:"value"`   // Go's storage value ("k8s\x00" + runtime.Unknown)
	JSON    string `json:"json"`    // Go's compact JSON of Value
	// Canonical: Go's storage value for JSON, when it differs from Value (the JSON cannot carry
	// everything the bytes can: non-canonical quantities, invalid UTF-8, IntOrString's unused half).
	Canonical []byte `json:"canonical,omitempty"`
	// CanonicalJSON: Go's compact JSON of Canonical, when it differs from JSON (Go prints an invalid
	// UTF-8 byte as the escape \ufffd, but the U+FFFD its JSON decoder put in its place literally).
	CanonicalJSON string `json:"canonicalJson,omitempty"`
	Error         string `json:"error,omitempty"` // Go could not encode, decode or print it
}

// genResponse is op 'g''s answer (JSON).
type genResponse struct {
	Records []genRecord `json:"records,omitempty"`
	Sites   []string    `json:"sites,omitempty"`
}

var (
	typeTime        = reflect.TypeOf(metav1.Time{})
	typeMicroTime   = reflect.TypeOf(metav1.MicroTime{})
	typeDuration    = reflect.TypeOf(metav1.Duration{})
	typeIntOrString = reflect.TypeOf(intstr.IntOrString{})
	typeQuantity    = reflect.TypeOf(resource.Quantity{})
	typeRawExt      = reflect.TypeOf(runtime.RawExtension{})
	typeFieldsV1    = reflect.TypeOf(metav1.FieldsV1{})
	typeTypeMeta    = reflect.TypeOf(metav1.TypeMeta{})
)

func isSpecial(t reflect.Type) bool {
	switch t {
	case typeTime, typeMicroTime, typeDuration, typeIntOrString, typeQuantity, typeRawExt, typeFieldsV1:
		return true
	}
	return false
}

// ---------------------------------------------------------------------------------------------
// Edge values.

var edgeStrings = []struct{ name, value string }{
	{"empty", ""},
	{"html", `<a href="x?a=1&b=2">it's</a>`},
	{"control", "\x00\x01\b\f\n\r\t\x1b\x1f\x7f"},
	{"u2028", "a\u2028b\u2029c\u0085"},
	{"astral", "😀𝄞\U0010FFFF"},
	{"invalid-utf8", "a\xffb\xc3(\x80"},
	{"utf8-surrogate", "\xed\xa0\x80x\xed\xbf\xbf"},
	{"truncated-utf8", "ok\xe2\x82"},
	{"quotes", `"\/'` + "`"},
	{"non-ascii", "é漢字\u00a0\ufeff"},
	{"long", strings.Repeat("long-", 60)},
	{"digits", "007"},
}

// Map keys Go sorts by their bytes before printing: upper before lower, integer-like keys among the
// others; "\xc3(" (invalid UTF-8) sorts before "é" although it prints as "\ufffd(", which sorts
// after; "\xfe" and "\xff" both print as "\ufffd" (two equal keys in one JSON object).
var edgeKeys = []string{"b", "a", "B", "10", "9", "0", "", "é", "~", "a.b/c", "<&>", "\xff", "\xfe", "\xc3(", "\u2028"}

type intEdge struct {
	name  string
	value int64
}

var int64Edges = []intEdge{
	{"0", 0}, {"-1", -1}, {"1", 1},
	{"2^53-1", 1<<53 - 1}, {"2^53", 1 << 53}, {"2^53+1", 1<<53 + 1}, {"-(2^53+1)", -(1<<53 + 1)},
	{"max-int64", math.MaxInt64}, {"min-int64", math.MinInt64},
}
var int32Edges = []intEdge{{"0", 0}, {"-1", -1}, {"1", 1}, {"max-int32", math.MaxInt32}, {"min-int32", math.MinInt32}}

var floatEdges = []struct {
	name  string
	value float64
}{
	{"0", 0}, {"-0", math.Copysign(0, -1)}, {"0.1", 0.1}, {"1e21", 1e21}, {"1e20", 1e20}, {"1e-7", 1e-7},
	{"1e-6", 1e-6}, {"-1.5", -1.5}, {"max-float", math.MaxFloat64}, {"denormal", 5e-324}, {"2^53+2", 1<<53 + 2},
}

var timeEdges = []struct {
	name string
	t    time.Time
}{
	{"zero", time.Time{}},
	{"epoch", time.Unix(0, 0)},
	{"seconds", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)},
	{"nanos", time.Date(2021, 6, 1, 12, 0, 0, 123456789, time.UTC)},
	{"nanos-below-micro", time.Date(2021, 6, 1, 12, 0, 0, 999, time.UTC)},
	{"micros", time.Date(2021, 6, 1, 12, 0, 0, 500000000, time.UTC)},
	{"before-1970", time.Unix(-1, 500000000)},
	{"year-1-plus-1s", time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)},
	{"year-9999", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	{"non-utc", time.Date(2020, 1, 1, 1, 0, 0, 0, time.FixedZone("X", 3600+1800))},
}

var durationEdges = []struct {
	name string
	d    time.Duration
}{
	{"0", 0}, {"1ns", 1}, {"1.5s", 1500 * time.Millisecond}, {"1h2m3.5s", time.Hour + 2*time.Minute + 3500*time.Millisecond},
	{"-1s", -time.Second}, {"max", math.MaxInt64}, {"min", math.MinInt64}, {"1us", time.Microsecond}, {"100h", 100 * time.Hour},
}

var intOrStringEdges = []struct {
	name string
	v    intstr.IntOrString
}{
	{"int-0", intstr.FromInt32(0)},
	{"string-empty", intstr.FromString("")},
	{"int-negative", intstr.FromInt32(-5)},
	{"int-max", intstr.FromInt32(math.MaxInt32)},
	{"int-min", intstr.FromInt32(math.MinInt32)},
	{"string-percent", intstr.FromString("50%")},
	{"string-digits", intstr.FromString("0")},
	{"string-html", intstr.FromString("<&>")},
	{"string-invalid-utf8", intstr.FromString("\xff")},
	{"int-with-strval", intstr.IntOrString{Type: intstr.Int, IntVal: 3, StrVal: "ignored"}},
	{"string-with-intval", intstr.IntOrString{Type: intstr.String, IntVal: 7, StrVal: "x"}},
}

// Quantities as written in the stored value (Go keeps a parsed quantity's text when it writes it,
// so non-canonical forms are stored as given and canonicalised by whoever decodes them).
var quantityEdges = []string{
	"0", "1", "100m", "1.5", "0.5", "1Ki", "1Mi", "1.5Gi", "1Ti", "1Pi", "1Ei", "0Gi", "1024Mi", "2048Ki",
	"1k", "1M", "1G", "1T", "1P", "1E", "1n", "1u", "1000m", "1000n", "1e3", "1E6", "12e-3", "1e-9",
	"-1", "+1", "-0.5Gi", "01", "1.0", ".5", "5.", "0.000000001", "0.0000000001",
	"9223372036854775807", "9223372036854775808", "123456789012345678901234567890",
	"8Ei", "9Ei", "1.1E", "100e100", "1e-20",
}

var rawExtEdges = []struct{ name, raw string }{
	{"object", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}`},
	{"whitespace", " { \"b\" : [ 1 , 2.50 , -0 , 1e3 ] ,\n\t\"a\" : { } }\r\n"},
	{"html", `{"h":"<a>&amp;` + "\u2028" + `"}`},
	{"escapes", `{"e":"\u00e9\ud83d\ude00\n\/"}`},
	{"string", `"str"`},
	{"array", `[ ]`},
	{"json-null", `null`},
	{"number", ` 12.50 `},
	{"key-order", `{"z":1,"a":2,"m":{"y":1,"b":2}}`},
	{"deep", `{"a":{"b":{"c":{"d":{"e":[{"f":null}]}}}}}`},
}

var fieldsV1Edges = []struct{ name, raw string }{
	{"empty-object", `{}`},
	{"managed", `{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}}`},
	{"whitespace", "{ \"f:metadata\" : {\n  \"f:name\" : { }\n} }"},
	{"html", `{"f:data":{"f:<&>":{}}}`},
}

// setQuantityText makes q store text as its cached string form, which the protobuf marshaller
// writes verbatim (as a Quantity parsed from a client's text carries it).
func setQuantityText(q *resource.Quantity, text string) {
	f := reflect.ValueOf(q).Elem().FieldByName("s")
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetString(text)
}

func quantityOf(text string) resource.Quantity {
	q, err := resource.ParseQuantity(text)
	if err != nil {
		panic(fmt.Sprintf("quantity edge %q: %v", text, err))
	}
	setQuantityText(&q, text)
	return q
}

// ---------------------------------------------------------------------------------------------
// Variants of a type.

type variant struct {
	class string // for ordering: string, int64, time, quantity, list, map, pointer, …
	name  string
	make  func(g *generator) reflect.Value
}

func convert(v interface{}, t reflect.Type) reflect.Value { return reflect.ValueOf(v).Convert(t) }

// variantsOf lists the replacement values of a site of type t.
func variantsOf(t reflect.Type) []variant {
	zero := func(*generator) reflect.Value { return reflect.Zero(t) }
	switch t {
	case typeTime, typeMicroTime:
		var out []variant
		for _, e := range timeEdges {
			e := e
			out = append(out, variant{"time", "time-" + e.name, func(*generator) reflect.Value {
				if t == typeTime {
					return reflect.ValueOf(metav1.NewTime(e.t))
				}
				return reflect.ValueOf(metav1.NewMicroTime(e.t))
			}})
		}
		return out
	case typeDuration:
		var out []variant
		for _, e := range durationEdges {
			e := e
			out = append(out, variant{"duration", "duration-" + e.name, func(*generator) reflect.Value {
				return reflect.ValueOf(metav1.Duration{Duration: e.d})
			}})
		}
		return out
	case typeIntOrString:
		var out []variant
		for _, e := range intOrStringEdges {
			e := e
			out = append(out, variant{"intorstring", "intorstring-" + e.name, func(*generator) reflect.Value { return reflect.ValueOf(e.v) }})
		}
		return out
	case typeQuantity:
		out := []variant{{"quantity", "quantity-zero-value", zero}}
		for _, text := range quantityEdges {
			text := text
			out = append(out, variant{"quantity", "quantity-" + strconv.Quote(text), func(*generator) reflect.Value {
				return reflect.ValueOf(quantityOf(text))
			}})
		}
		return out
	case typeRawExt:
		out := []variant{
			{"raw", "raw-nil", zero},
			{"raw", "raw-empty-bytes", func(*generator) reflect.Value { return reflect.ValueOf(runtime.RawExtension{Raw: []byte{}}) }},
		}
		for _, e := range rawExtEdges {
			e := e
			out = append(out, variant{"raw", "raw-" + e.name, func(*generator) reflect.Value {
				return reflect.ValueOf(runtime.RawExtension{Raw: []byte(e.raw)})
			}})
		}
		return out
	case typeFieldsV1:
		out := []variant{{"fieldsv1", "fieldsv1-nil", zero}}
		for _, e := range fieldsV1Edges {
			e := e
			out = append(out, variant{"fieldsv1", "fieldsv1-" + e.name, func(*generator) reflect.Value {
				return reflect.ValueOf(metav1.FieldsV1{Raw: []byte(e.raw)})
			}})
		}
		return out
	}
	switch t.Kind() {
	case reflect.String:
		var out []variant
		for _, e := range edgeStrings {
			e := e
			out = append(out, variant{"string", "string-" + e.name, func(*generator) reflect.Value { return convert(e.value, t) }})
		}
		return out
	case reflect.Bool:
		return []variant{
			{"bool", "bool-false", zero},
			{"bool", "bool-true", func(*generator) reflect.Value { return convert(true, t) }},
		}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int, reflect.Int64:
		edges, class := int32Edges, "int32"
		if t.Bits() == 64 {
			edges, class = int64Edges, "int64"
		}
		var out []variant
		for _, e := range edges {
			e := e
			out = append(out, variant{class, class + "-" + e.name, func(*generator) reflect.Value {
				v := reflect.New(t).Elem()
				v.SetInt(e.value)
				return v
			}})
		}
		return out
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint, reflect.Uint64:
		max := uint64(1)<<uint(t.Bits()) - 1
		var out []variant
		for _, e := range []struct {
			name string
			v    uint64
		}{{"0", 0}, {"1", 1}, {"2^53+1", 1<<53 + 1}, {"max", max}} {
			e := e
			if e.v > max {
				continue
			}
			out = append(out, variant{"uint", "uint-" + e.name, func(*generator) reflect.Value {
				v := reflect.New(t).Elem()
				v.SetUint(e.v)
				return v
			}})
		}
		return out
	case reflect.Float32, reflect.Float64:
		var out []variant
		for _, e := range floatEdges {
			e := e
			if t.Kind() == reflect.Float32 && math.Abs(e.value) > math.MaxFloat32 {
				continue
			}
			out = append(out, variant{"float", "float-" + e.name, func(*generator) reflect.Value {
				v := reflect.New(t).Elem()
				v.SetFloat(e.value)
				return v
			}})
		}
		return out
	case reflect.Ptr:
		out := []variant{{"pointer", "nil", zero}}
		for _, ev := range variantsOf(t.Elem()) {
			ev := ev
			out = append(out, variant{ev.class, "&" + ev.name, func(g *generator) reflect.Value {
				p := reflect.New(t.Elem())
				p.Elem().Set(ev.make(g))
				return p
			}})
		}
		return out
	case reflect.Struct:
		return []variant{{"struct", "zero-struct", zero}}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			bytesOf := func(b []byte) func(*generator) reflect.Value {
				return func(*generator) reflect.Value { return convert(b, t) }
			}
			return []variant{
				{"bytes", "bytes-nil", zero},
				{"bytes", "bytes-empty", bytesOf([]byte{})},
				{"bytes", "bytes-binary", bytesOf([]byte{0, 0xff, 0x80, '<', '\n'})},
				{"bytes", "bytes-1", bytesOf([]byte("a"))},
				{"bytes", "bytes-2", bytesOf([]byte("ab"))},
				{"bytes", "bytes-3", bytesOf([]byte("abc"))},
			}
		}
		out := []variant{
			{"list", "list-nil", zero},
			{"list", "list-empty", func(*generator) reflect.Value { return reflect.MakeSlice(t, 0, 0) }},
			{"list", "list-one-zero-element", func(*generator) reflect.Value { return reflect.MakeSlice(t, 1, 1) }},
			{"list", "list-three-elements", func(g *generator) reflect.Value {
				s := reflect.MakeSlice(t, 3, 3)
				for i := 0; i < 3; i++ {
					g.fill(s.Index(i), 0, nil)
				}
				return s
			}},
		}
		if t.Elem().Kind() == reflect.String {
			out = append(out, variant{"list", "list-edge-strings", func(*generator) reflect.Value {
				s := reflect.MakeSlice(t, 0, len(edgeStrings))
				for _, e := range edgeStrings {
					s = reflect.Append(s, convert(e.value, t.Elem()))
				}
				return s
			}})
		}
		return out
	case reflect.Map:
		out := []variant{
			{"map", "map-nil", zero},
			{"map", "map-empty", func(*generator) reflect.Value { return reflect.MakeMap(t) }},
			{"map", "map-zero-value", func(*generator) reflect.Value {
				m := reflect.MakeMap(t)
				m.SetMapIndex(reflect.Zero(t.Key()), reflect.Zero(t.Elem()))
				return m
			}},
		}
		if t.Key().Kind() == reflect.String {
			out = append(out, variant{"map", "map-edge-keys", func(g *generator) reflect.Value {
				m := reflect.MakeMap(t)
				for _, k := range edgeKeys {
					v := reflect.New(t.Elem()).Elem()
					g.fill(v, 0, nil)
					m.SetMapIndex(convert(k, t.Key()), v)
				}
				return m
			}})
			if t.Elem().Kind() == reflect.String {
				out = append(out, variant{"map", "map-edge-values", func(*generator) reflect.Value {
					m := reflect.MakeMap(t)
					for _, e := range edgeStrings {
						m.SetMapIndex(convert("k-"+e.name, t.Key()), convert(e.value, t.Elem()))
					}
					return m
				}})
			}
		}
		return out
	}
	return nil
}

// ---------------------------------------------------------------------------------------------
// Baseline.

type generator struct {
	rng   *rand.Rand
	spice int // per mille
}

// maxOpen bounds how often one struct type may be open on the path being filled (recursive types).
const maxOpen = 2

// protobufFields are the struct fields protobuf writes (those with a protobuf tag), TypeMeta excluded.
func protobufFields(t reflect.Type) []int {
	var out []int
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.PkgPath != "" || f.Type == typeTypeMeta {
			continue
		}
		if tag := f.Tag.Get("protobuf"); tag == "" || tag == "-" {
			continue
		}
		out = append(out, i)
	}
	return out
}

const letters = "abcdefghijklmnopqrstuvwxyz0123456789"

func (g *generator) word() string {
	n := 3 + g.rng.Intn(6)
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[g.rng.Intn(len(letters))]
	}
	return string(b)
}

// fill sets v (settable, zero) to a plain value of its type with every protobuf field set.
// open counts the struct types open on the path.
func (g *generator) fill(v reflect.Value, depth int, open map[reflect.Type]int) {
	t := v.Type()
	if g.spice > 0 && g.rng.Intn(1000) < g.spice {
		if vs := variantsOf(t); len(vs) > 0 && t.Kind() != reflect.Struct {
			v.Set(vs[g.rng.Intn(len(vs))].make(g))
			return
		}
	}
	switch t {
	case typeTime:
		v.Set(reflect.ValueOf(metav1.NewTime(time.Unix(946684800+g.rng.Int63n(1<<30), 0))))
		return
	case typeMicroTime:
		v.Set(reflect.ValueOf(metav1.NewMicroTime(time.Unix(946684800+g.rng.Int63n(1<<30), int64(g.rng.Intn(1000000))*1000))))
		return
	case typeDuration:
		v.Set(reflect.ValueOf(metav1.Duration{Duration: time.Duration(1+g.rng.Intn(3600)) * time.Second}))
		return
	case typeIntOrString:
		if g.rng.Intn(2) == 0 {
			v.Set(reflect.ValueOf(intstr.FromInt32(int32(1 + g.rng.Intn(65535)))))
		} else {
			v.Set(reflect.ValueOf(intstr.FromString(g.word())))
		}
		return
	case typeQuantity:
		v.Set(reflect.ValueOf(resource.MustParse([]string{"100m", "2Gi", "3", "512Mi", "1500m"}[g.rng.Intn(5)])))
		return
	case typeRawExt:
		v.Set(reflect.ValueOf(runtime.RawExtension{Raw: []byte(`{"k":"` + g.word() + `"}`)}))
		return
	case typeFieldsV1:
		v.Set(reflect.ValueOf(metav1.FieldsV1{Raw: []byte(`{"f:` + g.word() + `":{}}`)}))
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(g.word())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int, reflect.Int64:
		v.SetInt(1 + g.rng.Int63n(1000))
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint, reflect.Uint64:
		v.SetUint(1 + uint64(g.rng.Intn(100)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(1+g.rng.Intn(100)) / 4)
	case reflect.Ptr:
		if t.Elem().Kind() == reflect.Struct && open[t.Elem()] >= maxOpen {
			return
		}
		p := reflect.New(t.Elem())
		g.fill(p.Elem(), depth+1, open)
		v.Set(p)
	case reflect.Struct:
		if open[t] >= maxOpen {
			return
		}
		if open == nil {
			open = map[reflect.Type]int{}
		}
		open[t]++
		for _, i := range protobufFields(t) {
			g.fill(v.Field(i), depth+1, open)
		}
		open[t]--
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, 1+g.rng.Intn(8))
			g.rng.Read(b)
			v.Set(convert(b, t))
			return
		}
		if t.Elem().Kind() == reflect.Struct && open[t.Elem()] >= maxOpen {
			return
		}
		n := 1 + g.rng.Intn(2)
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			g.fill(s.Index(i), depth+1, open)
		}
		v.Set(s)
	case reflect.Map:
		if t.Elem().Kind() == reflect.Struct && open[t.Elem()] >= maxOpen {
			return
		}
		m := reflect.MakeMap(t)
		for i := 0; i < 2; i++ {
			k := reflect.New(t.Key()).Elem()
			if t.Key().Kind() == reflect.String {
				k.SetString(fmt.Sprintf("k%d-%s", i, g.word()))
			} else {
				g.fill(k, depth+1, open)
			}
			e := reflect.New(t.Elem()).Elem()
			g.fill(e, depth+1, open)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// ---------------------------------------------------------------------------------------------
// Sites.

// step is one move from a value to a part of it: a struct field, a list element or a map value.
type step struct {
	field int           // struct field index, or -1
	index int           // list index, or -1
	key   reflect.Value // map key, when valid
}

type site struct {
	path  string
	steps []step
	typ   reflect.Type
}

func jsonName(f reflect.StructField) string {
	name := strings.Split(f.Tag.Get("json"), ",")[0]
	if name == "" {
		// inline: the protobuf name, marked
		for _, part := range strings.Split(f.Tag.Get("protobuf"), ",") {
			if strings.HasPrefix(part, "name=") {
				return "(" + strings.TrimPrefix(part, "name=") + ")"
			}
		}
		return "(" + f.Name + ")"
	}
	return name
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// sitesOf lists the sites of v (pre-order): each protobuf field, list element and map value.
func sitesOf(v reflect.Value, path string, steps []step, out *[]site) {
	for v.Kind() == reflect.Ptr {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	t := v.Type()
	if isSpecial(t) {
		return
	}
	with := func(s step) []step { return append(append([]step(nil), steps...), s) }
	switch t.Kind() {
	case reflect.Struct:
		for _, i := range protobufFields(t) {
			f := t.Field(i)
			p := join(path, jsonName(f))
			st := with(step{field: i, index: -1})
			*out = append(*out, site{p, st, f.Type})
			sitesOf(v.Field(i), p, st, out)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := 0; i < v.Len(); i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			st := with(step{field: -1, index: i})
			*out = append(*out, site{p, st, t.Elem()})
			sitesOf(v.Index(i), p, st, out)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(a, b int) bool { return fmt.Sprint(keys[a]) < fmt.Sprint(keys[b]) })
		for _, k := range keys {
			p := fmt.Sprintf("%s[%q]", path, fmt.Sprint(k.Interface()))
			st := with(step{field: -1, index: -1, key: k})
			*out = append(*out, site{p, st, t.Elem()})
			sitesOf(v.MapIndex(k), p, st, out)
		}
	}
}

// setAt replaces the value at steps inside v (settable) with what set returns for the old value.
func setAt(v reflect.Value, steps []step, set func(old reflect.Value) reflect.Value) {
	if len(steps) == 0 {
		v.Set(set(v))
		return
	}
	for v.Kind() == reflect.Ptr {
		v = v.Elem()
	}
	s, rest := steps[0], steps[1:]
	switch {
	case s.field >= 0:
		setAt(v.Field(s.field), rest, set)
	case s.index >= 0:
		setAt(v.Index(s.index), rest, set)
	default: // map values are not addressable: copy, change, put back
		e := reflect.New(v.Type().Elem()).Elem()
		e.Set(v.MapIndex(s.key))
		setAt(e, rest, set)
		v.SetMapIndex(s.key, e)
	}
}

// ---------------------------------------------------------------------------------------------
// The op.

type plannedVariant struct {
	site    *site // nil: whole object
	variant variant
}

func (c *codecs) generate(payload []byte) ([]byte, error) {
	var req genRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, fmt.Errorf("generate request: %w (expected JSON like {\"kind\":\"v1/Pod\",\"seed\":1,\"count\":10})", err)
	}
	gvk, err := parseKind(req.Kind)
	if err != nil {
		return nil, err
	}
	if !c.scheme.Recognizes(*gvk) {
		return nil, fmt.Errorf("generate: kind %q is not in the scheme (op 'k' lists the kinds)", req.Kind)
	}
	if req.Start < 0 {
		return nil, fmt.Errorf("generate: start %d is negative", req.Start)
	}
	if req.Count < 0 || req.Count > 100000 {
		return nil, fmt.Errorf("generate: count %d out of range 0..100000", req.Count)
	}
	newObject := func() (runtime.Object, error) {
		obj, err := c.scheme.New(*gvk)
		if err != nil {
			return nil, err
		}
		obj.GetObjectKind().SetGroupVersionKind(*gvk)
		return obj, nil
	}

	// Baseline: drawn from the seed alone, so sites and variants are the same for every start.
	baseline, err := newObject()
	if err != nil {
		return nil, err
	}
	g := &generator{rng: rand.New(rand.NewSource(req.Seed)), spice: req.Spice}
	g.fill(reflect.ValueOf(baseline).Elem(), 0, nil)
	baseline.GetObjectKind().SetGroupVersionKind(*gvk)

	var sites []site
	sitesOf(reflect.ValueOf(baseline).Elem(), "", nil, &sites)
	if len(req.Drop) > 0 {
		byPath := map[string]*site{}
		for i := range sites {
			byPath[sites[i].path] = &sites[i]
		}
		for _, p := range req.Drop {
			s, ok := byPath[p]
			if !ok {
				return nil, fmt.Errorf("generate: drop path %q is not a site of this baseline", p)
			}
			setAt(reflect.ValueOf(baseline).Elem(), s.steps, func(old reflect.Value) reflect.Value { return reflect.Zero(old.Type()) })
		}
		// sites below a dropped one are gone
		sites = sites[:0]
		sitesOf(reflect.ValueOf(baseline).Elem(), "", nil, &sites)
	}
	if req.Sites {
		out := genResponse{Sites: []string{}}
		for _, s := range sites {
			out.Sites = append(out.Sites, s.path)
		}
		return json.Marshal(out)
	}

	// Variants grouped by class; each group shuffled; groups taken round-robin in a shuffled order.
	groups := map[string][]plannedVariant{}
	groups["object"] = []plannedVariant{
		{nil, variant{"object", "baseline", nil}},
		{nil, variant{"object", "empty-object", nil}},
	}
	for i := range sites {
		for _, v := range variantsOf(sites[i].typ) {
			groups[v.class] = append(groups[v.class], plannedVariant{&sites[i], v})
		}
	}
	order := rand.New(rand.NewSource(req.Seed ^ 0x5eed))
	var classes []string
	for k := range groups {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	order.Shuffle(len(classes), func(i, j int) { classes[i], classes[j] = classes[j], classes[i] })
	for _, k := range classes {
		list := groups[k]
		order.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	}
	var planned []plannedVariant
	for round := 0; len(planned) < countAll(groups); round++ {
		for _, k := range classes {
			if round < len(groups[k]) {
				planned = append(planned, groups[k][round])
			}
		}
	}

	start, count := req.Start, req.Count
	if req.Variant != "" {
		start, count = -1, 1
		for i, pv := range planned {
			if pv.variant.name == req.Variant && (pv.site == nil && req.Path == "" || pv.site != nil && pv.site.path == req.Path) {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, fmt.Errorf("generate: no variant %q at %q in this baseline", req.Variant, req.Path)
		}
	}
	out := genResponse{Records: []genRecord{}}
	for n := 0; n < count; n++ {
		index := (start + n) % len(planned)
		pv := planned[index]
		rec := genRecord{Index: index, Of: len(planned), Variant: pv.variant.name}
		var obj runtime.Object
		switch {
		case pv.site != nil:
			rec.Path = pv.site.path
			obj = baseline.DeepCopyObject()
			// a fresh generator per record, seeded by what the record is (not its index, which
			// changes with drop), so a record does not depend on the ones before it
			h := fnv.New64a()
			h.Write([]byte(pv.site.path + "\x00" + pv.variant.name))
			vg := &generator{rng: rand.New(rand.NewSource(req.Seed ^ int64(h.Sum64())))}
			setAt(reflect.ValueOf(obj).Elem(), pv.site.steps, func(reflect.Value) reflect.Value { return pv.variant.make(vg) })
		case pv.variant.name == "empty-object":
			obj, _ = newObject()
		default:
			obj = baseline.DeepCopyObject()
		}
		c.record(obj, gvk, &rec)
		out.Records = append(out.Records, rec)
	}
	return json.Marshal(out)
}

func countAll(groups map[string][]plannedVariant) int {
	n := 0
	for _, g := range groups {
		n += len(g)
	}
	return n
}

// record encodes obj as Go stores it, decodes and prints it as Go does, and encodes that JSON again.
func (c *codecs) record(obj runtime.Object, gvk *schema.GroupVersionKind, rec *genRecord) {
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		var buf strings.Builder
		if err := c.proto.Encode(obj, &buf); err != nil {
			return fmt.Errorf("protobuf encode: %w", err)
		}
		rec.Value = []byte(buf.String())
		text, err := c.decode(rec.Value, gvk, false)
		if err != nil {
			return err
		}
		rec.JSON = string(text)
		again, err := c.encode(text, gvk)
		if err != nil {
			return fmt.Errorf("encoding the printed JSON again: %w", err)
		}
		if string(again) != string(rec.Value) {
			rec.Canonical = again
			text, err := c.decode(again, gvk, false)
			if err != nil {
				return fmt.Errorf("decoding the storage value of the printed JSON: %w", err)
			}
			if string(text) != rec.JSON {
				rec.CanonicalJSON = string(text)
			}
		}
		return nil
	}()
	if err != nil {
		rec.Error = err.Error()
	}
}
