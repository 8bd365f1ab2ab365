package main

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metavalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// coreChecker checks built-in Kubernetes kinds against the upstream Go types
// of k8s.io/api: strict decoding (unknown and duplicate fields, wrong JSON
// types) plus ObjectMeta validation. It does not run the API server's
// per-kind validation (k8s.io/kubernetes/pkg/apis/*/validation: required
// fields, enum values), which is not importable as a library.
type coreChecker struct {
	scheme  *runtime.Scheme
	decoder runtime.Decoder
}

// clusterScoped lists the built-in kinds of the registered groups that are not namespaced.
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"StorageClass": true, "CSIDriver": true, "CSINode": true, "VolumeAttachment": true, "PriorityClass": true,
	"IngressClass": true, "ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true, "IPAddress": true, "ServiceCIDR": true,
}

func newCoreChecker() *coreChecker {
	scheme := runtime.NewScheme()
	builders := []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, networkingv1.AddToScheme, rbacv1.AddToScheme,
		policyv1.AddToScheme, schedulingv1.AddToScheme, storagev1.AddToScheme, autoscalingv2.AddToScheme,
		admissionregistrationv1.AddToScheme,
	}
	for _, add := range builders {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	serializer := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Strict: true})
	return &coreChecker{scheme: scheme, decoder: serializer}
}

func (c *coreChecker) knows(gvk schema.GroupVersionKind) bool { return c.scheme.Recognizes(gvk) }

func (c *coreChecker) validate(gvk schema.GroupVersionKind, raw []byte) field.ErrorList {
	obj, _, err := c.decoder.Decode(raw, &gvk, nil)
	if err != nil {
		if strict, ok := runtime.AsStrictDecodingError(err); ok {
			var errs field.ErrorList
			for _, e := range strict.Errors() {
				errs = append(errs, &field.Error{Type: field.ErrorTypeInvalid, BadValue: field.OmitValueType{}, Detail: e.Error()})
			}
			return errs
		}
		return field.ErrorList{&field.Error{Type: field.ErrorTypeTypeInvalid, BadValue: field.OmitValueType{}, Detail: fmt.Sprintf("does not decode into %s: %v", gvk, err)}}
	}
	accessor, ok := obj.(metav1.Object)
	if !ok {
		return nil
	}
	meta := &metav1.ObjectMeta{
		Name: accessor.GetName(), GenerateName: accessor.GetGenerateName(), Namespace: accessor.GetNamespace(),
		Labels: accessor.GetLabels(), Annotations: accessor.GetAnnotations(), Finalizers: accessor.GetFinalizers(),
		OwnerReferences: accessor.GetOwnerReferences(),
	}
	namespaced := !clusterScoped[gvk.Kind]
	if namespaced && meta.Namespace == "" {
		meta.Namespace = "default"
	}
	if !namespaced {
		meta.Namespace = ""
	}
	nameFn := metavalidation.NameIsDNSSubdomain
	switch gvk.Kind {
	case "Namespace":
		nameFn = metavalidation.ValidateNamespaceName
	case "Service":
		nameFn = metavalidation.NameIsDNS1035Label
	}
	return metavalidation.ValidateObjectMeta(meta, namespaced, nameFn, field.NewPath("metadata"))
}
