package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pod spec defaults of {@code pkg/apis/core/v1/defaults.go}: for every pod spec (pods and the templates of
 * workloads), plus those only pods get (service links, requests from limits, host ports on the host network).
 */
final class PodDefaults {
    static final int DEFAULT_GRACE_PERIOD_SECONDS = 30;
    static final String DEFAULT_SCHEDULER = "default-scheduler";

    private PodDefaults() {
    }

    static void pod(Pod pod) {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            return;
        }
        podSpec(spec);
        if (spec.getEnableServiceLinks() == null) {
            spec.setEnableServiceLinks(true);
        }
        for (Container c : containers(spec)) {
            ResourceRequirements r = c.getResources();
            if (r != null && r.getLimits() != null && !r.getLimits().isEmpty()) {
                Map<String, Quantity> requests = r.getRequests() == null ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(r.getRequests());
                r.getLimits().forEach(requests::putIfAbsent);
                r.setRequests(requests);
            }
            if (Boolean.TRUE.equals(spec.getHostNetwork())) {
                for (ContainerPort port : c.getPorts()) {
                    if (port.getHostPort() == null || port.getHostPort() == 0) {
                        port.setHostPort(port.getContainerPort());
                    }
                }
            }
        }
    }

    static void podTemplate(PodTemplateSpec template) {
        if (template != null && template.getSpec() != null) {
            podSpec(template.getSpec());
        }
    }

    private static void podSpec(PodSpec spec) {
        if (isEmpty(spec.getDnsPolicy())) {
            spec.setDnsPolicy("ClusterFirst");
        }
        if (isEmpty(spec.getRestartPolicy())) {
            spec.setRestartPolicy("Always");
        }
        if (spec.getSecurityContext() == null) {
            spec.setSecurityContext(new PodSecurityContext());
        }
        if (spec.getTerminationGracePeriodSeconds() == null) {
            spec.setTerminationGracePeriodSeconds((long) DEFAULT_GRACE_PERIOD_SECONDS);
        }
        if (isEmpty(spec.getSchedulerName())) {
            spec.setSchedulerName(DEFAULT_SCHEDULER);
        }
        for (Container c : containers(spec)) {
            container(c);
        }
        for (Volume v : spec.getVolumes()) {
            volume(v);
        }
    }

    private static List<Container> containers(PodSpec spec) {
        List<Container> all = new ArrayList<>(spec.getInitContainers());
        all.addAll(spec.getContainers());
        return all;
    }

    private static void container(Container c) {
        if (isEmpty(c.getImagePullPolicy()) && c.getImage() != null) {
            c.setImagePullPolicy(tag(c.getImage()).equals("latest") ? "Always" : "IfNotPresent");
        }
        if (isEmpty(c.getTerminationMessagePath())) {
            c.setTerminationMessagePath("/dev/termination-log");
        }
        if (isEmpty(c.getTerminationMessagePolicy())) {
            c.setTerminationMessagePolicy("File");
        }
        for (ContainerPort p : c.getPorts()) {
            if (isEmpty(p.getProtocol())) {
                p.setProtocol("TCP");
            }
        }
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null
                    && isEmpty(e.getValueFrom().getFieldRef().getApiVersion())) {
                e.getValueFrom().getFieldRef().setApiVersion("v1");
            }
        }
        probe(c.getLivenessProbe());
        probe(c.getReadinessProbe());
        probe(c.getStartupProbe());
    }

    /** Tags of images seen, memoized: the same few images appear in every pod, and the parse is a regex. */
    private static final ConcurrentHashMap<String, String> TAGS = new ConcurrentHashMap<>();
    private static final int MAX_TAGS = 4096;

    /** The image's tag: "latest" when it has none; a digest-only reference has none either ({@code IfNotPresent}). */
    static String tag(String image) {
        String tag = TAGS.get(image);
        if (tag == null) {
            tag = parseTag(image);
            if (TAGS.size() >= MAX_TAGS) {
                TAGS.clear(); // rare: a workload with thousands of distinct images
            }
            TAGS.put(image, tag);
        }
        return tag;
    }

    private static String parseTag(String image) {
        int at = image.indexOf('@');
        String name = at >= 0 ? image.substring(0, at) : image;
        if (!IMAGE_REFERENCE.matcher(name).matches()) {
            return ""; // not a reference the parser accepts: IfNotPresent, as the apiserver's defaulting gives
        }
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        if (colon > slash) {
            return name.substring(colon + 1);
        }
        return at >= 0 ? "" : "latest"; // a digest without a tag pins the image
    }

    /** A docker reference without digest: lower-case path components, optional registry host:port and tag. */
    private static final java.util.regex.Pattern IMAGE_REFERENCE = java.util.regex.Pattern.compile(
            "([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*"
                    + "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?");

    private static void probe(Probe p) {
        if (p == null) {
            return;
        }
        p.setTimeoutSeconds(positiveOr(p.getTimeoutSeconds(), 1));
        p.setPeriodSeconds(positiveOr(p.getPeriodSeconds(), 10));
        p.setSuccessThreshold(positiveOr(p.getSuccessThreshold(), 1));
        p.setFailureThreshold(positiveOr(p.getFailureThreshold(), 3));
        if (p.getHttpGet() != null) {
            if (isEmpty(p.getHttpGet().getPath())) {
                p.getHttpGet().setPath("/");
            }
            if (isEmpty(p.getHttpGet().getScheme())) {
                p.getHttpGet().setScheme("HTTP");
            }
        }
    }

    private static void volume(Volume v) {
        if (v.getSecret() != null && v.getSecret().getDefaultMode() == null) {
            v.getSecret().setDefaultMode(420);
        }
        if (v.getConfigMap() != null && v.getConfigMap().getDefaultMode() == null) {
            v.getConfigMap().setDefaultMode(420);
        }
        if (v.getDownwardAPI() != null && v.getDownwardAPI().getDefaultMode() == null) {
            v.getDownwardAPI().setDefaultMode(420);
        }
        if (v.getProjected() != null && v.getProjected().getDefaultMode() == null) {
            v.getProjected().setDefaultMode(420);
        }
        if (v.getHostPath() != null && v.getHostPath().getType() == null) {
            v.getHostPath().setType("");
        }
        boolean noSource = ObjectCodec.tree(v).size() == 1; // only "name"
        if (noSource) {
            v.setEmptyDir(new io.fabric8.kubernetes.api.model.EmptyDirVolumeSource());
        }
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static Integer positiveOr(Integer value, int fallback) {
        return value == null || value == 0 ? fallback : value;
    }
}
