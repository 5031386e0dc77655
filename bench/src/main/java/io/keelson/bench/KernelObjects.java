package io.keelson.bench;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/** The objects the kernel benchmarks write: a realistic pod (two containers, about 2 KB of JSON) and a node. */
final class KernelObjects {
    private KernelObjects() {
    }

    static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("app", "checkout").addToLabels("tier", "backend").addToLabels("version", "v1.42.0")
                .addToLabels("pod-template-hash", "7d4b9c8f5d")
                .addToAnnotations("prometheus.io/scrape", "true").addToAnnotations("prometheus.io/port", "9090")
                .endMetadata()
                .withNewSpec().withServiceAccountName("checkout").withTerminationGracePeriodSeconds(30L)
                .addNewContainer().withName("app").withImage("registry.example.com/shop/checkout:1.42.0")
                .withArgs("--port=8080", "--metrics-port=9090", "--log-level=info")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .addNewPort().withName("metrics").withContainerPort(9090).endPort()
                .addNewEnv().withName("DATABASE_URL").withValue("postgres://checkout@db.shop.svc:5432/checkout").endEnv()
                .addNewEnv().withName("CACHE_URL").withValue("redis://cache.shop.svc:6379/0").endEnv()
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                .endFieldRef().endValueFrom().endEnv()
                .withNewResources().addToRequests("cpu", new Quantity("250m")).addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("cpu", new Quantity("1")).addToLimits("memory", new Quantity("512Mi")).endResources()
                .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withNewPort(8080).endHttpGet()
                .withPeriodSeconds(5).endReadinessProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withNewPort(8080).endHttpGet()
                .withInitialDelaySeconds(10).endLivenessProbe()
                .addNewVolumeMount().withName("config").withMountPath("/etc/checkout").withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewContainer().withName("proxy").withImage("registry.example.com/infra/envoy:1.30.1")
                .withArgs("--config-path", "/etc/envoy/envoy.yaml")
                .addNewPort().withName("proxy").withContainerPort(15001).endPort()
                .withNewResources().addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("128Mi"))
                .endResources().endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName("checkout-config").endConfigMap().endVolume()
                .endSpec().build();
    }

    static Node node(String name, int zone) {
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name)
                .addToLabels("topology.kubernetes.io/zone", "zone-" + zone)
                .addToLabels("topology.kubernetes.io/region", "region-1")
                .addToLabels("node.kubernetes.io/instance-type", "m5.2xlarge").endMetadata()
                .withNewSpec().withPodCIDR("10.244." + (zone % 250) + ".0/24").endSpec()
                .withNewStatus().addToCapacity("cpu", new Quantity("8")).addToCapacity("memory", new Quantity("32Gi"))
                .addToCapacity("pods", new Quantity("110")).addToCapacity("ephemeral-storage", new Quantity("100Gi"))
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withMessage("kubelet is posting ready status").endCondition()
                .addNewAddress().withType("InternalIP").withAddress("10.0." + zone + ".1").endAddress()
                .withNewNodeInfo().withKubeletVersion("v1.34.0").withOperatingSystem("linux").withArchitecture("amd64")
                .withContainerRuntimeVersion("containerd://1.7.0").withOsImage("Ubuntu 24.04").withKernelVersion("6.8.0")
                .endNodeInfo().endStatus().build();
    }
}
