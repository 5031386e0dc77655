package io.keelson.cli;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ResourceWatch;
import io.keelson.kernel.Resources;
import io.keelson.kernel.WatchRequest;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.manager.ControllerManager;
import io.keelson.store.KeyValue;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreMember;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The kernel part of {@code bin/keelson demo}: Kubernetes objects on the store, under the apiserver's rules. */
final class KernelDemo {
    private static final String MANIFEST = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: demo
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: {app: web}
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.25
            """;

    private final StoreMember store;
    private final PrintStream out;

    KernelDemo(StoreMember store, PrintStream out) {
        this.store = store;
        this.out = out;
    }

    void run() throws Exception {
        out.println();
        out.println("== the orchestration kernel on the same store ==");
        try (Kernel kernel = Kernel.builder().store(store).build();
             ControllerManager manager = ControllerManager.builder(kernel, "demo").build();
             EventRecorder events = EventRecorder.create(kernel, "keelson-demo", "", Clock.systemUTC())) {
            manager.start();
            await(manager::isLeader, "the controller manager to take its lease");
            out.println("controller manager leads, running " + manager.runningControllers());

            kernel.apply(MANIFEST, "demo");
            Resources<Deployment> deployments = kernel.resources(Deployment.class).inNamespace("demo");
            Deployment web = deployments.get("web");
            KeyValue kv = store.range(RangeRequest.key("/registry/deployments/demo/web")).join().kvs().get(0);
            out.println("applied a manifest: namespace demo, deployment web; stored under " + kv.keyUtf8()
                    + " at mod revision " + kv.modRevision() + " = resourceVersion "
                    + web.getMetadata().getResourceVersion());
            out.println("  stored JSON starts: " + kv.valueUtf8().substring(0, Math.min(110, kv.valueUtf8().length()))
                    + "...");
            out.println("  defaults filled in: strategy " + web.getSpec().getStrategy().getType() + " "
                    + web.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal() + "/"
                    + web.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getStrVal()
                    + ", revisionHistoryLimit " + web.getSpec().getRevisionHistoryLimit() + ", generation "
                    + web.getMetadata().getGeneration() + ", pod template restartPolicy "
                    + web.getSpec().getTemplate().getSpec().getRestartPolicy());

            ConfigMap config = kernel.resources(ConfigMap.class).inNamespace("demo").create(
                    new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("web-config")
                            .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("web")
                            .withUid(web.getMetadata().getUid()).withController(true).endOwnerReference()
                            .endMetadata().addToData("greeting", "hello").build());
            out.println("created configmap web-config owned by deployment web (uid "
                    + config.getMetadata().getOwnerReferences().get(0).getUid() + ")");

            try (ResourceWatch watch = deployments.watch(WatchRequest.fromResourceVersion(
                    web.getMetadata().getResourceVersion()), e -> out.println("  watch: " + e.type() + " web, replicas "
                    + (e.object() == null ? "-" : e.object().getSpec().getReplicas()) + " at resourceVersion "
                    + e.resourceVersion()))) {
                Scale scale = deployments.getScale("web");
                scale.getSpec().setReplicas(4);
                deployments.updateScale("web", scale);
                Thread.sleep(300);
            }
            try {
                web.getSpec().setReplicas(9);
                deployments.update(web); // web's resourceVersion is from before the scale
            } catch (ApiException e) {
                out.println("update with the old resourceVersion: " + e.code() + " " + e.reason() + ": " + e.getMessage());
            }
            try {
                deployments.create(new DeploymentBuilder().withNewMetadata().withName("broken").endMetadata()
                        .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", "other").endMetadata()
                        .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                        .endTemplate().endSpec().build());
            } catch (ApiException e) {
                out.println("an invalid deployment: " + e.code() + " " + e.reason() + ": " + e.getMessage());
            }

            events.event(deployments.get("web"), EventRecorder.NORMAL, "ScalingReplicaSet",
                    "Scaled up replica set web to 4");
            events.flush(Duration.ofSeconds(5));
            for (Event e : kernel.resources(Event.class).inNamespace("demo").list("")) {
                out.println("event " + e.getMetadata().getName() + ": " + e.getType() + " " + e.getReason() + " "
                        + e.getMessage() + " (count " + e.getCount() + ", from " + e.getSource().getComponent() + ")");
            }

            deployments.delete("web");
            Resources<ConfigMap> configMaps = kernel.resources(ConfigMap.class).inNamespace("demo");
            await(() -> gone(() -> configMaps.get("web-config")), "the garbage collector");
            out.println("deleted deployment web: the garbage collector deleted its configmap web-config");

            Resources<Namespace> namespaces = kernel.resources(Namespace.class);
            namespaces.delete("demo");
            out.println("deleting namespace demo: phase " + namespaces.get("demo").getStatus().getPhase());
            await(() -> gone(() -> namespaces.get("demo")), "the namespace controller");
            out.println("the namespace controller emptied namespace demo and it is gone; namespaces now: "
                    + namespaces.list("").stream().map(n -> n.getMetadata().getName()).toList());
        }
    }

    private static boolean gone(Runnable get) {
        try {
            get.run();
            return false;
        } catch (ApiException e) {
            return e.isNotFound();
        }
    }

    /** Waits up to a minute for {@code condition}, failing with what was awaited. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
