package io.keelson.watch;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A list's continue token, opaque to callers: the page's revision, its last key, and the prefix it lists
 * (a token used for another prefix is refused rather than mixing two lists).
 */
record ContinueToken(long revision, ByteString lastKey, ByteString prefix) {

    static String encode(long revision, ByteString lastKey, ByteString prefix) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String text = revision + ":" + b64.encodeToString(lastKey.toByteArray()) + ":"
                + b64.encodeToString(prefix.toByteArray());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException for a token this cache did not hand out */
    static ContinueToken decode(String token) {
        try {
            String[] fields = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":", -1);
            long revision = Long.parseLong(fields[0]);
            ByteString lastKey = ByteString.copyFrom(Base64.getUrlDecoder().decode(fields[1]));
            ByteString prefix = ByteString.copyFrom(Base64.getUrlDecoder().decode(fields[2]));
            if (fields.length != 3 || revision <= 0 || lastKey.isEmpty()) {
                throw new IllegalArgumentException("bad fields");
            }
            return new ContinueToken(revision, lastKey, prefix);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid continue token: " + token, e);
        }
    }
}
