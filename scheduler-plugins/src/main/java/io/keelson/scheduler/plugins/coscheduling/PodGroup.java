package io.keelson.scheduler.plugins.coscheduling;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.kernel.ResourceType;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * kubernetes-sigs/scheduler-plugins' PodGroup (scheduling.x-k8s.io/v1alpha1): pods labelled
 * {@code scheduling.x-k8s.io/pod-group: <name>} in its namespace are scheduled as a gang of at least
 * {@code minMember}. The kernel serves it once given {@link #TYPE}: {@code Kernel.builder().type(PodGroup.TYPE)}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
@JsonDeserialize(using = ValueDeserializer.None.class) // not fabric8's HasMetadata deserializer, which knows no PodGroup
public final class PodGroup implements HasMetadata, Namespaced {
    public static final String GROUP = "scheduling.x-k8s.io";
    public static final String VERSION = "v1alpha1";
    /** The kernel's registry entry for PodGroups (namespaced, short names pg and pgs, a status subresource). */
    public static final ResourceType<PodGroup> TYPE = ResourceType.of(PodGroup.class, GROUP, VERSION, "PodGroup",
            "podgroups", true).withShortNames("pg", "pgs").withSubresources(true, false);

    /**
     * @param minMember how many of the group's pods must be placeable together
     * @param minResources what the group needs in total, checked before any of its pods is filtered
     * @param scheduleTimeoutSeconds how long placed pods wait at Permit for the rest (the plugin's default if null)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(Integer minMember, Map<String, Quantity> minResources, Integer scheduleTimeoutSeconds) {
    }

    /** What the PodGroup controller reports. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(String phase, String occupiedBy, Integer running, Integer succeeded, Integer failed,
                         String scheduleStartTime) {
    }

    private String apiVersion = GROUP + "/" + VERSION;
    private String kind = "PodGroup";
    private ObjectMeta metadata = new ObjectMeta();
    private Spec spec;
    private Status status;

    public PodGroup() {
    }

    /** A PodGroup named {@code name} of at least {@code minMember} pods. */
    public PodGroup(String name, int minMember) {
        metadata.setName(name);
        spec = new Spec(minMember, null, null);
    }

    @Override
    public String getApiVersion() {
        return apiVersion;
    }

    @Override
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    @Override
    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    @Override
    public ObjectMeta getMetadata() {
        return metadata;
    }

    @Override
    public void setMetadata(ObjectMeta metadata) {
        this.metadata = metadata;
    }

    public Spec getSpec() {
        return spec;
    }

    public void setSpec(Spec spec) {
        this.spec = spec;
    }

    public Status getStatus() {
        return status;
    }

    public void setStatus(Status status) {
        this.status = status;
    }

    /** {@code spec.minMember}, 0 when unset. */
    public int minMember() {
        return spec == null || spec.minMember() == null ? 0 : spec.minMember();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PodGroup p && Objects.equals(apiVersion, p.apiVersion) && Objects.equals(kind, p.kind)
                && Objects.equals(metadata, p.metadata) && Objects.equals(spec, p.spec)
                && Objects.equals(status, p.status);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metadata, spec, status);
    }

    @Override
    public String toString() {
        return "PodGroup{" + metadata.getNamespace() + "/" + metadata.getName() + ", spec=" + spec + "}";
    }
}
