// Command kubetcd-reference is the reference serializer kubetcd's decoder and encoder are tested
// against: Kubernetes' own protobuf serializer (the one kube-apiserver writes etcd values with) and
// JSON serializer (the one it prints responses with), over client-go's scheme, which knows every
// built-in API group, plus the request-only groups of k8s.io/api (see newScheme), and a generator of
// objects exploring every kind's value space (generate.go). Built by scripts/setup-reference.sh, once
// per Kubernetes version (the same source compiles against k8s.io/api 0.36.4 and 0.32.3); driven by
// test/helpers/reference.ts.
//
// One process serves any number of requests over stdin/stdout, in order:
//
//	request:  op (1 byte) | payload length (uint32, big-endian) | payload
//	response: status (1 byte: 0 ok, 1 error) | length (uint32, big-endian) | result or error text
//
// Ops:
//
//	'd'  storage value ("k8s\x00" + runtime.Unknown) -> the typed object's JSON, compact, one line,
//	     without the newline json.Encoder appends (the bytes the API server sends, minus that '\n')
//	'D'  the same, pretty-printed (json.MarshalIndent with two spaces, as ?pretty=true prints)
//	'e'  JSON of one object with apiVersion and kind -> storage value ("k8s\x00" + runtime.Unknown)
//	'k'  (empty payload) -> "apiVersion/Kind" lines, sorted: every external kind the scheme can
//	     write as protobuf
//	'g'  JSON request {"kind","seed","start","count","spice","drop","sites"} -> JSON records of
//	     generated objects of that kind: storage value, Go's compact JSON of it, and Go's storage
//	     value of that JSON when it differs (see generate.go)
//	'v'  (empty payload) -> the Kubernetes version of the linked libraries ("1.36", "1.32")
//	'h'  "apiVersion/Kind" -> empty: the kind the NEXT request ('d', 'D' or 'e') assumes where its
//	     bytes name none (types without TypeMeta, such as WatchEvent); applies to that request only
//
// Neither direction defaults or converts: the protobuf and JSON serializers only map bytes to the
// registered Go type of the apiVersion/kind the bytes name and back. (kube-apiserver additionally
// converts through the internal version and applies defaults on read; for an object stored by the
// same Kubernetes version that is a no-op.) A malformed request gets an error response; a broken
// frame (stream ends inside a request, or a length over the limit) ends the process with exit code 2.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	admissionv1beta1 "k8s.io/api/admission/v1beta1"
	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	apidiscoveryv2beta1 "k8s.io/api/apidiscovery/v2beta1"
	imagepolicyv1alpha1 "k8s.io/api/imagepolicy/v1alpha1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

// kubernetesVersion is the Kubernetes version of the libraries linked (set by scripts/setup-reference.sh
// with -ldflags -X; op 'v' answers it).
var kubernetesVersion = "unknown"

// protobufMessage is what Kubernetes' protobuf serializer needs of a type to write and read it. (Until
// 1.32 the generated types were also gogo-protobuf messages; from 1.33 on they are not, but keep
// these methods.)
type protobufMessage interface {
	Marshal() ([]byte, error)
	Unmarshal(data []byte) error
}

// maxPayload bounds one request's payload; etcd's own value limit is far below it.
const maxPayload = 256 << 20

// newScheme registers every built-in kind: client-go's scheme (every group a cluster serves) plus
// the k8s.io/api groups that are only exchanged in requests and so are not in it (admission
// reviews, image reviews, discovery documents), so every testdata/HEAD kind has a type.
func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme,
		admissionv1.AddToScheme,
		admissionv1beta1.AddToScheme,
		apidiscoveryv2.AddToScheme,
		apidiscoveryv2beta1.AddToScheme,
		imagepolicyv1alpha1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

type codecs struct {
	scheme  *runtime.Scheme
	proto   *protobuf.Serializer
	compact *json.Serializer
	pretty  *json.Serializer
}

func newCodecs() *codecs {
	s := newScheme()
	return &codecs{
		scheme:  s,
		proto:   protobuf.NewSerializer(s, s),
		compact: json.NewSerializerWithOptions(json.DefaultMetaFactory, s, s, json.SerializerOptions{}),
		pretty:  json.NewSerializerWithOptions(json.DefaultMetaFactory, s, s, json.SerializerOptions{Pretty: true}),
	}
}

// decode turns a storage value into the JSON the API server prints for it.
func (c *codecs) decode(value []byte, hint *schema.GroupVersionKind, pretty bool) ([]byte, error) {
	obj, _, err := c.proto.Decode(value, hint, nil)
	if err != nil {
		return nil, fmt.Errorf("protobuf decode: %w", err)
	}
	var out bytes.Buffer
	printer := c.compact
	if pretty {
		printer = c.pretty
	}
	if err := printer.Encode(obj, &out); err != nil {
		return nil, fmt.Errorf("json encode %T: %w", obj, err)
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// encode turns an object's JSON into the storage value the API server writes for it.
func (c *codecs) encode(text []byte, hint *schema.GroupVersionKind) ([]byte, error) {
	obj, _, err := c.compact.Decode(text, hint, nil)
	if err != nil {
		return nil, fmt.Errorf("json decode: %w", err)
	}
	var out bytes.Buffer
	if err := c.proto.Encode(obj, &out); err != nil {
		return nil, fmt.Errorf("protobuf encode %T: %w", obj, err)
	}
	return out.Bytes(), nil
}

// kinds lists every external apiVersion/Kind of the scheme whose Go type is a protobuf message.
func (c *codecs) kinds() []byte {
	message := reflect.TypeOf((*protobufMessage)(nil)).Elem()
	var lines []string
	for gvk, t := range c.scheme.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || !reflect.PointerTo(t).Implements(message) {
			continue
		}
		lines = append(lines, gvk.GroupVersion().String()+"/"+gvk.Kind)
	}
	sort.Strings(lines)
	return []byte(strings.Join(lines, "\n"))
}

// parseKind reads "apiVersion/Kind" ("v1/Pod", "apps/v1/Deployment").
func parseKind(text string) (*schema.GroupVersionKind, error) {
	i := strings.LastIndex(text, "/")
	if i <= 0 || i == len(text)-1 {
		return nil, fmt.Errorf("kind hint %q: expected apiVersion/Kind, e.g. v1/Pod or apps/v1/Deployment", text)
	}
	gv, err := schema.ParseGroupVersion(text[:i])
	if err != nil {
		return nil, fmt.Errorf("kind hint %q: %w", text, err)
	}
	gvk := gv.WithKind(text[i+1:])
	return &gvk, nil
}

// handle answers one request; a panic inside Kubernetes' code becomes an error response. hint is
// the kind an 'h' request set for this one (nil if none).
func (c *codecs) handle(op byte, payload []byte, hint *schema.GroupVersionKind) (result []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			result, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	switch op {
	case 'd':
		return c.decode(payload, hint, false)
	case 'D':
		return c.decode(payload, hint, true)
	case 'e':
		return c.encode(payload, hint)
	case 'k':
		return c.kinds(), nil
	case 'g':
		return c.generate(payload)
	case 'v':
		return []byte(kubernetesVersion), nil
	default:
		return nil, fmt.Errorf("unknown op %q: expected 'd', 'D', 'e', 'g', 'h', 'k' or 'v'", op)
	}
}

func serve(in io.Reader, out io.Writer) error {
	c := newCodecs()
	r := bufio.NewReaderSize(in, 1<<16)
	w := bufio.NewWriterSize(out, 1<<16)
	var header [5]byte
	var nextHint *schema.GroupVersionKind
	for {
		if _, err := io.ReadFull(r, header[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return w.Flush()
			}
			return fmt.Errorf("reading a request header: %w", err)
		}
		n := binary.BigEndian.Uint32(header[1:])
		if n > maxPayload {
			return fmt.Errorf("request payload of %d bytes exceeds the %d-byte limit", n, maxPayload)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return fmt.Errorf("reading a %d-byte request payload: %w", n, err)
		}
		var result []byte
		var err error
		if header[0] == 'h' {
			nextHint, err = parseKind(string(payload))
		} else {
			result, err = c.handle(header[0], payload, nextHint)
			nextHint = nil
		}
		status := byte(0)
		if err != nil {
			status, result = 1, []byte(err.Error())
		}
		header[0] = status
		binary.BigEndian.PutUint32(header[1:], uint32(len(result)))
		if _, err := w.Write(header[:]); err != nil {
			return err
		}
		if _, err := w.Write(result); err != nil {
			return err
		}
		// Answer as soon as no further request is already waiting, so pipelined batches are written
		// in large chunks and a lone request is never held back.
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
}

func main() {
	if err := serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kubetcd-reference:", err)
		os.Exit(2)
	}
}
