package io.keelson.scheduler.plugins.interpodaffinity;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A pod's parsed affinity terms: required and preferred, affinity and anti-affinity. */
record PodTerms(List<AffinityTerm> requiredAffinity, List<AffinityTerm> requiredAntiAffinity,
                List<AffinityTerm> preferredAffinity, List<AffinityTerm> preferredAntiAffinity) {

    static final PodTerms NONE = new PodTerms(List.of(), List.of(), List.of(), List.of());

    /**
     * @throws io.keelson.kernel.ApiException for a malformed selector, naming which terms
     */
    static PodTerms of(Pod pod) {
        Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        if (a == null || (a.getPodAffinity() == null && a.getPodAntiAffinity() == null)) {
            return NONE;
        }
        var aff = a.getPodAffinity();
        var anti = a.getPodAntiAffinity();
        return new PodTerms(
                required(pod, aff == null ? null : aff.getRequiredDuringSchedulingIgnoredDuringExecution(),
                        "requiredAffinityTerms"),
                required(pod, anti == null ? null : anti.getRequiredDuringSchedulingIgnoredDuringExecution(),
                        "requiredAntiAffinityTerms"),
                preferred(pod, aff == null ? null : aff.getPreferredDuringSchedulingIgnoredDuringExecution(),
                        "preferredAffinityTerms"),
                preferred(pod, anti == null ? null : anti.getPreferredDuringSchedulingIgnoredDuringExecution(),
                        "preferredAntiAffinityTerms"));
    }

    boolean isEmpty() {
        return requiredAffinity.isEmpty() && requiredAntiAffinity.isEmpty() && preferredAffinity.isEmpty()
                && preferredAntiAffinity.isEmpty();
    }

    PodTerms map(Function<AffinityTerm, AffinityTerm> f) {
        return new PodTerms(requiredAffinity.stream().map(f).toList(), requiredAntiAffinity.stream().map(f).toList(),
                preferredAffinity.stream().map(f).toList(), preferredAntiAffinity.stream().map(f).toList());
    }

    private static List<AffinityTerm> required(Pod pod, List<PodAffinityTerm> terms, String what) {
        List<AffinityTerm> parsed = new ArrayList<>();
        if (terms != null) {
            for (PodAffinityTerm t : terms) {
                parsed.add(parse(t, pod, 0, what));
            }
        }
        return List.copyOf(parsed);
    }

    private static List<AffinityTerm> preferred(Pod pod, List<WeightedPodAffinityTerm> terms, String what) {
        List<AffinityTerm> parsed = new ArrayList<>();
        if (terms != null) {
            for (WeightedPodAffinityTerm t : terms) {
                parsed.add(parse(t.getPodAffinityTerm(), pod, t.getWeight() == null ? 0 : t.getWeight(), what));
            }
        }
        return List.copyOf(parsed);
    }

    private static AffinityTerm parse(PodAffinityTerm t, Pod pod, int weight, String what) {
        try {
            return AffinityTerm.of(t, pod, weight);
        } catch (io.keelson.kernel.ApiException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }
}
