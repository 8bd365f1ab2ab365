// Command k8s-validate validates Kubernetes objects against the
// openAPIV3Schema of upstream CustomResourceDefinitions with the
// kube-apiserver's own machinery (k8s.io/apiextensions-apiserver): structural
// schema, pruning (unknown fields are errors), defaulting, OpenAPI validation,
// list-type invariants and the CEL x-kubernetes-validations rules. Built-in
// kinds are strictly decoded into the k8s.io/api types.
//
// Usage:
//
//	k8s-validate --crds DIR_OR_FILE [--crds ...] [--require-crd GROUPS] [--expect KIND=N ...] [--expect-invalid] PATH...
//
// PATH is a file (JSON or YAML, multi-document, a JSON list or a v1 List) or
// a directory searched recursively for *.json, *.yaml and *.yml. Exit code 0
// when every object is valid and every expectation met, 1 when not, 2 on a
// usage or CRD loading error.
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// expectErrorAnnotation, on a sample object, names a substring that one of its
// validation errors must contain when --expect-invalid is given.
const expectErrorAnnotation = "k8s-validate.innovate.io/expect-error"

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

type object struct {
	file  string
	index int
	raw   []byte
	obj   map[string]interface{}
}

func (o object) describe() string {
	u := unstructured.Unstructured{Object: o.obj}
	name := u.GetName()
	if ns := u.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	where := o.file
	if o.index > 0 {
		where = fmt.Sprintf("%s#%d", o.file, o.index)
	}
	return fmt.Sprintf("%s %s %q (%s)", u.GetAPIVersion(), u.GetKind(), name, where)
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fset := flag.NewFlagSet("k8s-validate", flag.ContinueOnError)
	var crdPaths, requireGroups, expects listFlag
	fset.Var(&crdPaths, "crds", "CRD file or directory (repeatable, or comma-separated)")
	fset.Var(&requireGroups, "require-crd", "API groups whose objects must have a CRD loaded (comma-separated; * = every non-built-in group); an object of such a group without a CRD is an error instead of skipped")
	fset.Var(&expects, "expect", "KIND=N: fail unless at least N objects of KIND were checked (repeatable)")
	expectInvalid := fset.Bool("expect-invalid", false, "self-test mode: every object must be rejected (and, if annotated "+expectErrorAnnotation+", with an error containing that text)")
	coreMode := fset.String("core", "strict", "built-in kinds: strict (decode strictly into the k8s.io/api types) or skip")
	quiet := fset.Bool("quiet", false, "print only failures, skips and the summary")
	fset.Usage = func() {
		fmt.Fprintln(fset.Output(), "usage: k8s-validate --crds DIR_OR_FILE [flags] PATH...")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return 2
	}
	if fset.NArg() == 0 {
		fset.Usage()
		return 2
	}
	if *coreMode != "strict" && *coreMode != "skip" {
		fmt.Fprintf(os.Stderr, "--core must be strict or skip, got %q\n", *coreMode)
		return 2
	}
	minCounts := map[string]int{}
	for _, e := range expects {
		kind, n, ok := strings.Cut(e, "=")
		count, err := strconv.Atoi(n)
		if !ok || err != nil || kind == "" || count < 0 {
			fmt.Fprintf(os.Stderr, "--expect wants KIND=N, got %q\n", e)
			return 2
		}
		minCounts[kind] = count
	}

	registry := newCRDRegistry()
	for _, p := range crdPaths {
		files, err := collectFiles(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "error: --crds %s: %v\n", p, err)
			return 2
		}
		for _, f := range files {
			if _, err := registry.loadFile(f); err != nil {
				fmt.Fprintf(os.Stderr, "error: loading CRDs: %v\n", err)
				return 2
			}
		}
	}
	fmt.Printf("loaded %d CRD(s): %s\n", len(registry.names), strings.Join(registry.names, "; "))
	required := map[string]bool{}
	for _, g := range requireGroups {
		required[g] = true
		if g != "*" && !registry.hasGroup(g) {
			fmt.Fprintf(os.Stderr, "error: --require-crd %s: no CRD of that group was loaded\n", g)
			return 2
		}
	}

	var objects []object
	for _, p := range fset.Args() {
		files, err := collectFiles(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "error: %s: %v\n", p, err)
			return 2
		}
		for _, f := range files {
			objs, err := readObjects(f)
			if err != nil {
				fmt.Fprintf(os.Stderr, "error: %v\n", err)
				return 1
			}
			objects = append(objects, objs...)
		}
	}

	var core *coreChecker
	if *coreMode == "strict" {
		core = newCoreChecker()
	}
	ctx := context.Background()
	checked := map[string]int{}
	var nValid, nInvalid, nSkipped, nUnexpected int
	for _, o := range objects {
		errs, warnings, skipReason := validateObject(ctx, registry, core, required, o)
		for _, w := range warnings {
			fmt.Printf("WARN  %s: %s\n", o.describe(), w)
		}
		if skipReason != "" {
			nSkipped++
			fmt.Printf("SKIP  %s: %s\n", o.describe(), skipReason)
			continue
		}
		kind, _ := o.obj["kind"].(string)
		checked[kind]++
		if *expectInvalid {
			want := expectedError(o)
			switch {
			case len(errs) == 0:
				nUnexpected++
				fmt.Printf("FAIL  %s: expected to be rejected, but it is valid\n", o.describe())
			case want != "" && !containsError(errs, want):
				nUnexpected++
				fmt.Printf("FAIL  %s: rejected, but no error mentions %q:\n", o.describe(), want)
				printErrors(errs)
			default:
				nInvalid++
				if !*quiet {
					fmt.Printf("REJECTED (as expected) %s:\n", o.describe())
					printErrors(errs)
				}
			}
			continue
		}
		if len(errs) > 0 {
			nInvalid++
			fmt.Printf("FAIL  %s:\n", o.describe())
			printErrors(errs)
			continue
		}
		nValid++
		if !*quiet {
			fmt.Printf("PASS  %s\n", o.describe())
		}
	}

	status := 0
	for _, kind := range sortedKeys(minCounts) {
		if checked[kind] < minCounts[kind] {
			fmt.Printf("FAIL  expected at least %d %s object(s), checked %d\n", minCounts[kind], kind, checked[kind])
			status = 1
		}
	}
	var byKind []string
	for _, k := range sortedKeys(checked) {
		byKind = append(byKind, fmt.Sprintf("%s=%d", k, checked[k]))
	}
	total := nValid + nInvalid + nUnexpected
	if *expectInvalid {
		fmt.Printf("checked %d objects: %d rejected as expected, %d not; %d skipped [%s]\n", total, nInvalid, nUnexpected, nSkipped, strings.Join(byKind, " "))
		if nUnexpected > 0 || total == 0 {
			status = 1
		}
	} else {
		fmt.Printf("checked %d objects: %d valid, %d invalid; %d skipped [%s]\n", total, nValid, nInvalid, nSkipped, strings.Join(byKind, " "))
		if nInvalid > 0 {
			status = 1
		}
	}
	return status
}

// validateObject returns the object's validation errors, warnings, or a reason it was skipped.
func validateObject(ctx context.Context, registry *crdRegistry, core *coreChecker, required map[string]bool, o object) (field.ErrorList, []string, string) {
	apiVersion, _ := o.obj["apiVersion"].(string)
	kind, _ := o.obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return field.ErrorList{field.Required(field.NewPath("apiVersion/kind"), "every object needs apiVersion and kind")}, nil, ""
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("apiVersion"), apiVersion, err.Error())}, nil, ""
	}
	gvk := gv.WithKind(kind)
	if versions, ok := registry.byGroupKind[groupKindKey(gv.Group, kind)]; ok {
		cv, ok := versions[gv.Version]
		if !ok {
			return field.ErrorList{field.NotSupported(field.NewPath("apiVersion"), apiVersion, prefixed(gv.Group, sortedKeys(versions)))}, nil, ""
		}
		errs, warnings, skip := validateCRObject(ctx, cv, o)
		if gv.Group == "velero.io" && kind == "Schedule" {
			errs = append(errs, veleroScheduleErrors(o.obj)...)
		}
		return errs, warnings, skip
	}
	if core != nil && core.knows(gvk) {
		return core.validate(gvk, o.raw), nil, ""
	}
	builtIn := isBuiltInGroup(gv.Group)
	if required[gv.Group] || (required["*"] && !builtIn) {
		return field.ErrorList{field.Invalid(field.NewPath("apiVersion"), apiVersion,
			fmt.Sprintf("no CRD for %s loaded, and group %q requires one (--require-crd)", gvk.GroupKind(), gv.Group))}, nil, ""
	}
	if builtIn {
		return nil, nil, fmt.Sprintf("built-in kind %s is not among the checked k8s.io/api types", gvk)
	}
	return nil, nil, fmt.Sprintf("no CRD loaded for %s", gvk.GroupKind())
}

func validateCRObject(ctx context.Context, cv *crdVersion, o object) (field.ErrorList, []string, string) {
	// Validate a deep copy: pruning and defaulting change the object.
	copied := map[string]interface{}{}
	if err := utiljson.Unmarshal(o.raw, &copied); err != nil {
		return field.ErrorList{field.Invalid(nil, nil, err.Error())}, nil, ""
	}
	errs, warnings := validateCustomResource(ctx, cv, copied)
	return errs, warnings, ""
}

func prefixed(group string, versions []string) []string {
	out := make([]string, len(versions))
	for i, v := range versions {
		out[i] = group + "/" + v
	}
	return out
}

func isBuiltInGroup(group string) bool {
	return group == "" || !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io")
}

func expectedError(o object) string {
	u := unstructured.Unstructured{Object: o.obj}
	return u.GetAnnotations()[expectErrorAnnotation]
}

func containsError(errs field.ErrorList, want string) bool {
	for _, e := range errs {
		if strings.Contains(e.Error(), want) {
			return true
		}
	}
	return false
}

func printErrors(errs field.ErrorList) {
	for _, e := range errs {
		msg := e.Error()
		if e.Field == "" || e.Field == "<nil>" {
			msg = e.ErrorBody()
		}
		fmt.Printf("        - %s\n", msg)
	}
}

// collectFiles returns p itself or, for a directory, its *.json/*.yaml/*.yml files, sorted.
func collectFiles(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json", ".yaml", ".yml":
			if !d.IsDir() {
				files = append(files, path)
			}
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// readObjects reads every object of a file; JSON arrays and *List kinds are flattened.
func readObjects(path string) ([]object, error) {
	docs, err := readDocuments(path)
	if err != nil {
		return nil, err
	}
	var out []object
	var add func(raw []byte) error
	add = func(raw []byte) error {
		var v interface{}
		if err := utiljson.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		switch t := v.(type) {
		case []interface{}:
			for _, item := range t {
				b, err := utiljson.Marshal(item)
				if err != nil {
					return err
				}
				if err := add(b); err != nil {
					return err
				}
			}
			return nil
		case map[string]interface{}:
			if kind, _ := t["kind"].(string); strings.HasSuffix(kind, "List") && t["items"] != nil {
				b, err := utiljson.Marshal(t["items"])
				if err != nil {
					return err
				}
				return add(b)
			}
			out = append(out, object{file: path, index: len(out), raw: raw, obj: t})
			return nil
		default:
			return fmt.Errorf("%s: a document is neither an object nor a list", path)
		}
	}
	for _, d := range docs {
		if err := add(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}
