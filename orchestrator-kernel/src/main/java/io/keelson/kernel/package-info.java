/**
 * The orchestration kernel: Kubernetes objects (fabric8's model classes) stored in a Keelson store under
 * kube-apiserver's keys and rules. {@link io.keelson.kernel.Kernel#builder()} is the entry point;
 * {@link io.keelson.kernel.Resources} is the typed API per resource type; errors are
 * {@link io.keelson.kernel.ApiException}s carrying Kubernetes {@code Status} objects. The controller toolkit is in
 * {@code informer}, {@code workqueue}, {@code controller}, {@code events}, {@code leaderelection} and
 * {@code manager}; the built-in controllers in {@code namespace} and {@code gc}.
 */
package io.keelson.kernel;
