package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metavalidation "k8s.io/apimachinery/pkg/api/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// crdVersion is one version of a loaded CustomResourceDefinition, prepared the
// way kube-apiserver prepares it (structural schema with pruned defaults, a
// kube-openapi schema validator and the CEL validator for
// x-kubernetes-validations).
type crdVersion struct {
	crdName    string
	source     string
	group      string
	kind       string
	version    string
	namespaced bool
	served     bool
	deprecated bool
	preserve   bool
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

// crdRegistry maps group/kind to the loaded versions of its CRD.
type crdRegistry struct {
	byGroupKind map[string]map[string]*crdVersion
	names       []string
}

func groupKindKey(group, kind string) string { return group + "/" + kind }

func newCRDRegistry() *crdRegistry {
	return &crdRegistry{byGroupKind: map[string]map[string]*crdVersion{}}
}

func (r *crdRegistry) hasGroup(group string) bool {
	for _, versions := range r.byGroupKind {
		for _, v := range versions {
			if v.group == group {
				return true
			}
		}
	}
	return false
}

// loadFile reads every CustomResourceDefinition in a (multi-document) YAML or
// JSON file; documents of other kinds are ignored.
func (r *crdRegistry) loadFile(path string) (int, error) {
	docs, err := readDocuments(path)
	if err != nil {
		return 0, err
	}
	loaded := 0
	for i, doc := range docs {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := utiljson.Unmarshal(doc, &head); err != nil {
			return loaded, fmt.Errorf("%s: document %d: %v", path, i, err)
		}
		if head.Kind != "CustomResourceDefinition" {
			continue
		}
		if head.APIVersion != "apiextensions.k8s.io/v1" {
			return loaded, fmt.Errorf("%s: document %d: only apiextensions.k8s.io/v1 CRDs are supported, got %q", path, i, head.APIVersion)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := utiljson.Unmarshal(doc, crd); err != nil {
			return loaded, fmt.Errorf("%s: document %d: %v", path, i, err)
		}
		if err := r.add(crd, path); err != nil {
			return loaded, err
		}
		loaded++
	}
	return loaded, nil
}

func (r *crdRegistry) add(crd *apiextensionsv1.CustomResourceDefinition, source string) error {
	key := groupKindKey(crd.Spec.Group, crd.Spec.Names.Kind)
	if _, dup := r.byGroupKind[key]; dup {
		return fmt.Errorf("%s: CRD %s: a CRD for %s was already loaded", source, crd.Name, key)
	}
	versions := map[string]*crdVersion{}
	for _, v := range crd.Spec.Versions {
		cv := &crdVersion{
			crdName:    crd.Name,
			source:     source,
			group:      crd.Spec.Group,
			kind:       crd.Spec.Names.Kind,
			version:    v.Name,
			namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
			served:     v.Served,
			deprecated: v.Deprecated,
			preserve:   crd.Spec.PreserveUnknownFields,
		}
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			return fmt.Errorf("%s: CRD %s version %s has no openAPIV3Schema", source, crd.Name, v.Name)
		}
		internal := &apiextensions.CustomResourceValidation{}
		if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(v.Schema, internal, nil); err != nil {
			return fmt.Errorf("%s: CRD %s version %s: converting the schema: %v", source, crd.Name, v.Name, err)
		}
		s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
		if err != nil {
			return fmt.Errorf("%s: CRD %s version %s: the schema is not structural: %v", source, crd.Name, v.Name, err)
		}
		s = s.DeepCopy()
		if err := structuraldefaulting.PruneDefaults(s); err != nil {
			return fmt.Errorf("%s: CRD %s version %s: pruning defaults: %v", source, crd.Name, v.Name, err)
		}
		cv.structural = s
		validator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
		if err != nil {
			return fmt.Errorf("%s: CRD %s version %s: building the schema validator: %v", source, crd.Name, v.Name, err)
		}
		cv.validator = validator
		// Compiled once per CRD version, as kube-apiserver's customresource strategy does.
		cv.cel = cel.NewValidator(s, true, celconfig.PerCallLimit)
		versions[v.Name] = cv
	}
	r.byGroupKind[key] = versions
	r.names = append(r.names, fmt.Sprintf("%s (%s)", crd.Name, strings.Join(sortedKeys(versions), ", ")))
	return nil
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validateCustomResource runs, on a copy of obj, the steps kube-apiserver runs
// on a create of a custom resource: strict field validation (unknown fields
// are errors, as with kubectl's default --validate=strict), pruning, defaulting,
// ObjectMeta validation, the OpenAPI schema, embedded resources,
// x-kubernetes-list-type invariants and the CEL x-kubernetes-validations rules.
func validateCustomResource(ctx context.Context, cv *crdVersion, obj map[string]interface{}) (errs field.ErrorList, warnings []string) {
	if !cv.served {
		return field.ErrorList{field.Invalid(field.NewPath("apiVersion"), cv.group+"/"+cv.version,
			fmt.Sprintf("version %s of CRD %s is not served", cv.version, cv.crdName))}, nil
	}
	if cv.deprecated {
		warnings = append(warnings, fmt.Sprintf("%s/%s %s is deprecated", cv.group, cv.version, cv.kind))
	}

	meta, _, unknownMeta, err := schemaobjectmeta.GetObjectMetaWithOptions(obj, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}, warnings
	}
	for _, p := range unknownMeta {
		errs = append(errs, unknownField(p))
	}
	if meta == nil {
		errs = append(errs, field.Required(field.NewPath("metadata"), ""))
		return errs, warnings
	}
	// kubectl apply puts an object without a namespace into the default one.
	if cv.namespaced && meta.Namespace == "" {
		meta.Namespace = "default"
	}
	if !cv.namespaced && meta.Namespace != "" {
		warnings = append(warnings, fmt.Sprintf("metadata.namespace %q is set on cluster-scoped kind %s and is ignored", meta.Namespace, cv.kind))
		meta.Namespace = ""
	}
	errs = append(errs, metavalidation.ValidateObjectMeta(meta, cv.namespaced, metavalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)

	if !cv.preserve {
		opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
		for _, p := range structuralpruning.PruneWithOptions(obj, cv.structural, true, opts) {
			errs = append(errs, unknownField(p))
		}
		structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, cv.structural)
	}
	structuraldefaulting.Default(obj, cv.structural)

	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, obj, cv.validator)...)
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, obj, cv.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, cv.structural, obj)...)
	if cv.cel != nil {
		if blocking := blockingErrors(errs); len(blocking) > 0 {
			warnings = append(warnings, "its CEL x-kubernetes-validations rules were not run because of the type, enum or required-field errors (as kube-apiserver does)")
		} else {
			celErrs, _ := cv.cel.Validate(ctx, nil, cv.structural, obj, nil, celconfig.RuntimeCELCostBudget)
			errs = append(errs, celErrs...)
		}
	}
	return errs, warnings
}

// blockingErrors are the errors after which kube-apiserver does not evaluate
// CEL rules (see hasBlockingErr in the customresource strategy).
func blockingErrors(errs field.ErrorList) field.ErrorList {
	var out field.ErrorList
	for _, e := range errs {
		if e.Type == field.ErrorTypeNotSupported || e.Type == field.ErrorTypeRequired || e.Type == field.ErrorTypeTypeInvalid {
			out = append(out, e)
		}
	}
	return out
}

// unknownField is the error for a field the schema does not define. kubectl
// apply validates strictly by default (--validate=strict), so the API server
// rejects such a field instead of pruning it.
func unknownField(path string) *field.Error {
	return &field.Error{Type: field.ErrorTypeInvalid, Field: path, BadValue: field.OmitValueType{},
		Detail: "unknown field (strict field validation rejects it; without it kube-apiserver would silently prune it)"}
}

// readDocuments splits a YAML (possibly multi-document) or JSON file into JSON documents.
func readDocuments(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return splitDocuments(path, data)
}

func splitDocuments(path string, data []byte) ([][]byte, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		chunk, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if len(bytes.TrimSpace(chunk)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSONStrict(chunk)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %v", path, len(docs), err)
		}
		if string(bytes.TrimSpace(j)) == "null" {
			continue
		}
		docs = append(docs, j)
	}
	return docs, nil
}
