package io.keelson.watch;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A list's continue token: the page's revision and its last key, opaque to callers. */
record ContinueToken(long revision, ByteString lastKey) {

    static String encode(long revision, ByteString lastKey) {
        String text = revision + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.toByteArray());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException for a token this cache did not hand out */
    static ContinueToken decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            long revision = Long.parseLong(text.substring(0, colon));
            ByteString lastKey = ByteString.copyFrom(Base64.getUrlDecoder().decode(text.substring(colon + 1)));
            if (revision <= 0 || lastKey.isEmpty()) {
                throw new IllegalArgumentException("bad fields");
            }
            return new ContinueToken(revision, lastKey);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid continue token: " + token, e);
        }
    }
}
