package io.keelson.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyRangesTest {
    @Test
    void orderIsUnsignedLexicographicAsProtobufDefinesIt() {
        Random random = new Random(7);
        byte[] alphabet = {0, 1, 'a', 'b', (byte) 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff};
        for (int i = 0; i < 20_000; i++) {
            ByteString a = randomKey(random, alphabet);
            ByteString b = random.nextInt(4) == 0 ? a.concat(randomKey(random, alphabet)) : randomKey(random, alphabet);
            if (random.nextBoolean()) {
                b = b.substring(0, b.size()); // a bounded (sliced) string compares like a literal one
            }
            int expected = Integer.signum(ByteString.unsignedLexicographicalComparator().compare(a, b));
            assertThat(Integer.signum(KeyRanges.ORDER.compare(a, b))).as("%s vs %s", a, b).isEqualTo(expected);
            assertThat(Integer.signum(KeyRanges.ORDER.compare(b, a))).isEqualTo(-expected);
        }
    }

    @Test
    void containsFollowsEtcdsRangeConventions() {
        ByteString a = ByteString.copyFromUtf8("a");
        ByteString b = ByteString.copyFromUtf8("b");
        assertThat(KeyRanges.contains(a, ByteString.EMPTY, a)).isTrue();
        assertThat(KeyRanges.contains(a, ByteString.EMPTY, b)).isFalse();
        assertThat(KeyRanges.contains(a, b, ByteString.copyFromUtf8("az"))).isTrue();
        assertThat(KeyRanges.contains(a, b, b)).isFalse();
        assertThat(KeyRanges.contains(a, KeyRanges.FROM_KEY, ByteString.copyFrom(new byte[] {(byte) 0xff}))).isTrue();
        assertThat(KeyRanges.prefixEnd(ByteString.copyFrom(new byte[] {'a', (byte) 0xff}))).isEqualTo(b);
    }

    private static ByteString randomKey(Random random, byte[] alphabet) {
        byte[] key = new byte[random.nextInt(6)];
        for (int i = 0; i < key.length; i++) {
            key[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return ByteString.copyFrom(key);
    }
}
