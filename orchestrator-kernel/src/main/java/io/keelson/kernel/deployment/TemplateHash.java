package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code pod-template-hash} that names a Deployment's ReplicaSet for one template (ComputeHash): FNV-1a (32 bit)
 * of the template, then of the collision count when there is one, printed in decimal and spelled in the
 * apiserver's "safe" alphabet. Upstream hashes Go's printed form of the struct; this hashes the template's JSON with
 * keys in a fixed order, so the values differ from a real cluster's but are stable from one run to the next.
 */
final class TemplateHash {
    static final String LABEL = "pod-template-hash";
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    private static final char[] SAFE = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

    private TemplateHash() {
    }

    static String compute(PodTemplateSpec template, Integer collisionCount) {
        int hash = 0x811c9dc5;
        for (byte b : canonical(template)) {
            hash = fnv(hash, b);
        }
        if (collisionCount != null) {
            byte[] count = new byte[8]; // as upstream: a 4-byte little-endian count in an 8-byte buffer
            for (int i = 0; i < 4; i++) {
                count[i] = (byte) (collisionCount >>> (8 * i));
            }
            for (byte b : count) {
                hash = fnv(hash, b);
            }
        }
        return safeEncode(Integer.toUnsignedString(hash));
    }

    private static int fnv(int hash, byte b) {
        return (hash ^ (b & 0xff)) * 0x01000193;
    }

    /** SafeEncodeString: each character replaced by one of an alphabet without vowels or look-alike digits. */
    static String safeEncode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            out.append(SAFE[s.charAt(i) % SAFE.length]);
        }
        return out.toString();
    }

    /** EqualIgnoreHash: the two templates are the same once the {@code pod-template-hash} label is ignored. */
    static boolean equalIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
        return Arrays.equals(canonical(withoutHash(a)), canonical(withoutHash(b)));
    }

    private static PodTemplateSpec withoutHash(PodTemplateSpec t) {
        if (t == null || t.getMetadata() == null || t.getMetadata().getLabels() == null
                || !t.getMetadata().getLabels().containsKey(LABEL)) {
            return t;
        }
        Map<String, String> labels = new LinkedHashMap<>(t.getMetadata().getLabels());
        labels.remove(LABEL);
        return new PodTemplateSpecBuilder(t).editMetadata().withLabels(labels).endMetadata().build();
    }

    private static byte[] canonical(PodTemplateSpec t) {
        return CANONICAL.writeValueAsBytes(t == null ? new PodTemplateSpec() : t);
    }
}
