package io.keelson.scheduler.plugins.imagelocality;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-scheduler's ImageLocality: favours nodes that already have the pod's images, each image's size scaled by the
 * share of nodes that have it (so an image everywhere does not decide), the sum clamped to [23 MB, 1000 MB per
 * container].
 */
public final class ImageLocality implements PreScorePlugin, ScorePlugin {
    public static final String NAME = "ImageLocality";
    static final long MB = 1024 * 1024;
    static final long MIN_THRESHOLD = 23 * MB;
    static final long MAX_CONTAINER_THRESHOLD = 1000 * MB;
    private static final String STATE = "PreScoreImageLocality";

    /** The pod's images (normalized, one per container) and how many nodes have each. */
    private record Spread(List<String> images, Map<String, Integer> nodesWithImage, int totalNodes) {
    }

    private final Handle handle;

    public ImageLocality(Handle handle) {
        this.handle = handle;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
        List<NodeInfo> all = handle == null ? nodes : handle.snapshot().list();
        List<String> images = new ArrayList<>();
        for (List<Container> containers : List.of(list(pod.getSpec().getInitContainers()),
                list(pod.getSpec().getContainers()))) {
            containers.forEach(c -> images.add(normalizedImageName(c.getImage())));
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String image : images) {
            counts.computeIfAbsent(image, i -> handle == null ? (int) nodes.stream()
                    .filter(n -> n.images().containsKey(i)).count() : handle.snapshot().nodesWithImage(i));
        }
        state.write(STATE, new Spread(images, counts, all.size()));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        Spread spread = state.read(STATE, Spread.class);
        if (spread == null) {
            throw new IllegalStateException("reading \"" + STATE + "\" from cycleState: not found");
        }
        long sum = 0;
        for (String image : spread.images()) {
            Long size = node.images().get(image);
            if (size != null) {
                sum += (long) (size * ((double) spread.nodesWithImage().get(image) / spread.totalNodes()));
            }
        }
        long maxThreshold = MAX_CONTAINER_THRESHOLD * spread.images().size();
        sum = Math.max(MIN_THRESHOLD, Math.min(maxThreshold, sum));
        return maxThreshold == MIN_THRESHOLD ? 0 : MAX_SCORE * (sum - MIN_THRESHOLD) / (maxThreshold - MIN_THRESHOLD);
    }

    /** An image name with ":latest" added when it has no tag (a ':' after the last '/'). */
    static String normalizedImageName(String name) {
        if (name == null) {
            return "";
        }
        return name.lastIndexOf(':') <= name.lastIndexOf('/') ? name + ":latest" : name;
    }

    private static <E> List<E> list(List<E> l) {
        return l == null ? List.of() : l;
    }
}
