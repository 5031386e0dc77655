package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.informer.Cache;
import io.keelson.kernel.informer.KeyFunctions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * One node's static pods, as the kubelet's file source and mirror client handle them: every pod manifest in the
 * node's directory (files whose names start with a dot are ignored) runs on the node, and shows in the API as a
 * mirror pod named {@code <name>-<node>}, in the manifest's namespace ({@code default} when it has none), owned by
 * the Node and annotated with the manifest's hash ({@code kubernetes.io/config.hash} and
 * {@code kubernetes.io/config.mirror}) and {@code kubernetes.io/config.source: file}. Static pods tolerate every
 * NoExecute taint. The directory is read at registration and every 20 s (the kubelet's file check frequency): a
 * changed manifest replaces its mirror pod, a removed one deletes it, and a mirror pod deleted through the API comes
 * back.
 */
final class StaticPods {
    static final String HASH = "kubernetes.io/config.hash";
    static final String MIRROR = "kubernetes.io/config.mirror";
    static final String SOURCE = "kubernetes.io/config.source";
    static final String SEEN = "kubernetes.io/config.seen";
    /** The pod informer's index of mirror pods by node name. */
    static final String MIRROR_INDEX = "kubelet/mirror-pods-by-node";
    static final Duration FILE_CHECK = Duration.ofSeconds(20);
    private static final Logger LOG = LoggerFactory.getLogger(StaticPods.class);
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private final String node;
    private final Path dir;
    private final Kernel kernel;
    /** Manifests that failed to load, with their last modification time, so each is reported once. */
    private final Map<Path, Long> reported = new LinkedHashMap<>();

    StaticPods(String node, Path dir, Kernel kernel) {
        this.node = node;
        this.dir = dir;
        this.kernel = kernel;
    }

    /** Whether {@code pod} is static (or a mirror of one): its config source is a file, not the API. */
    static boolean isStatic(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        return a != null && (a.containsKey(MIRROR) || (a.containsKey(SOURCE) && !"api".equals(a.get(SOURCE))));
    }

    /** The index function: a mirror pod under its node's name. */
    static List<String> mirrorIndex(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        return a == null || !a.containsKey(MIRROR) || pod.getSpec().getNodeName() == null ? List.of()
                : List.of(pod.getSpec().getNodeName());
    }

    /**
     * Brings the mirror pods in line with the manifests: creates the missing, replaces those whose manifest
     * changed (or that are being deleted), deletes those whose manifest is gone.
     */
    void sync(Cache<Pod> pods, String nodeUid, Instant now) {
        Map<String, Pod> wanted = read(nodeUid, now);
        for (Pod mirror : pods.byIndex(MIRROR_INDEX, node)) {
            Pod want = wanted.get(KeyFunctions.key(mirror));
            if (want == null || !hash(want).equals(mirror.getMetadata().getAnnotations().get(MIRROR))
                    || mirror.getMetadata().getDeletionTimestamp() != null) {
                delete(mirror);
            } else {
                wanted.remove(KeyFunctions.key(mirror));
            }
        }
        for (Pod want : wanted.values()) {
            Pod have = pods.get(KeyFunctions.key(want));
            if (have != null && !StaticPods.mirrorIndex(have).contains(node)) {
                LOG.warn("static pod {} on node {}: a pod of that name exists and is not its mirror",
                        KeyFunctions.key(want), node);
                continue;
            }
            try {
                kernel.resources(Pod.class).inNamespace(want.getMetadata().getNamespace()).create(want);
            } catch (ApiException e) {
                if (!"AlreadyExists".equals(e.reason())) { // else the cache is behind: the next sync looks again
                    LOG.warn("could not create mirror pod {} for node {}: {}", KeyFunctions.key(want), node,
                            e.getMessage());
                }
            }
        }
    }

    /** The mirror pods the manifests ask for, by key. */
    private Map<String, Pod> read(String nodeUid, Instant now) {
        Map<String, Pod> wanted = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir)) {
            listing.filter(f -> !f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)).sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            LOG.warn("could not read the static pod directory {} of node {}: {}", dir, node, e.toString());
            return wanted;
        }
        for (Path file : files) {
            for (Pod pod : load(file)) {
                Pod mirror = mirrorPod(pod, file, nodeUid, now);
                if (wanted.putIfAbsent(KeyFunctions.key(mirror), mirror) != null) {
                    LOG.warn("static pod {} in {} is declared twice on node {}; the first is kept",
                            KeyFunctions.key(mirror), file, node);
                }
            }
        }
        return wanted;
    }

    /** The pods a manifest file declares; a file that does not load, or holds anything but pods, gives none. */
    private List<Pod> load(Path file) {
        try {
            List<HasMetadata> objects = kernel.load(Files.readString(file, StandardCharsets.UTF_8));
            List<Pod> pods = new ArrayList<>();
            for (HasMetadata o : objects) {
                if (!(o instanceof Pod pod) || pod.getMetadata() == null || pod.getMetadata().getName() == null) {
                    throw new IllegalArgumentException("invalid pod: a " + o.getKind() + " without a pod's name");
                }
                pods.add(pod);
            }
            reported.remove(file);
            return pods;
        } catch (IOException | RuntimeException e) {
            Long modified = lastModified(file);
            if (!modified.equals(reported.put(file, modified))) {
                LOG.warn("could not process manifest file {} of node {}: {}", file, node, e.getMessage());
            }
            return List.of();
        }
    }

    private static Long lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return -1L;
        }
    }

    /** The kubelet's defaults for a pod from a file, and what its mirror client adds. */
    private Pod mirrorPod(Pod pod, Path file, String nodeUid, Instant now) {
        String hash = md5(CANONICAL.writeValueAsString(pod) + "host:" + node + "file:" + file);
        String namespace = pod.getMetadata().getNamespace() == null || pod.getMetadata().getNamespace().isEmpty()
                ? "default" : pod.getMetadata().getNamespace();
        Map<String, String> annotations = new LinkedHashMap<>(pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations());
        annotations.put(HASH, hash);
        annotations.put(MIRROR, hash);
        annotations.put(SOURCE, "file");
        annotations.put(SEEN, now.toString()); // RFC 3339 with the fraction, as the kubelet writes it
        List<Toleration> tolerations = new ArrayList<>(pod.getSpec().getTolerations() == null ? List.of()
                : pod.getSpec().getTolerations());
        Toleration everyNoExecute = new TolerationBuilder().withOperator("Exists").withEffect("NoExecute").build();
        if (!tolerations.contains(everyNoExecute)) {
            tolerations.add(everyNoExecute);
        }
        return new PodBuilder(pod).editMetadata()
                .withName(pod.getMetadata().getName() + "-" + node.toLowerCase(Locale.ROOT))
                .withNamespace(namespace).withUid(null).withResourceVersion(null).withAnnotations(annotations)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
                        .withName(node).withUid(nodeUid).withController(true).build())
                .endMetadata()
                .editSpec().withNodeName(node).withTolerations(tolerations).endSpec()
                .withStatus(null).build();
    }

    private static String hash(Pod mirror) {
        return mirror.getMetadata().getAnnotations().get(MIRROR);
    }

    /** Deletes a mirror pod at once (grace 0), if it is still the one seen. */
    private void delete(Pod mirror) {
        try {
            kernel.resources(Pod.class).inNamespace(mirror.getMetadata().getNamespace()).delete(
                    mirror.getMetadata().getName(), new DeleteOptionsBuilder().withGracePeriodSeconds(0L)
                            .withNewPreconditions().withUid(mirror.getMetadata().getUid()).endPreconditions()
                            .build());
        } catch (ApiException e) {
            if (e.code() != 404 && e.code() != 409) {
                throw e;
            }
        }
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }
}
