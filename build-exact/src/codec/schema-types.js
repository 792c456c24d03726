"use strict";
/**
 * The compiled Kubernetes schema: what kubetcd knows about every protobuf message of the installed
 * Kubernetes sources (`generated.proto`) joined with the Go structs (`types.go` and friends) that
 * decide the JSON: field order, JSON names, `omitempty`, pointers and `inline`.
 *
 * It is plain JSON-serialisable data, compiled once from the sources and cached (git-ignored).
 */
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=schema-types.js.map