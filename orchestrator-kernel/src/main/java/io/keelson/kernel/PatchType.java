package io.keelson.kernel;

/** The patch formats of the Kubernetes API, by their content type. */
public enum PatchType {
    /** RFC 6902 JSON patch: a list of operations. */
    JSON("application/json-patch+json"),
    /** RFC 7386 JSON merge patch: a partial object; null removes a field. */
    MERGE("application/merge-patch+json");

    private final String contentType;

    PatchType(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }
}
