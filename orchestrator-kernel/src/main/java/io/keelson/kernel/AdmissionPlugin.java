package io.keelson.kernel;

/**
 * An admission plugin, as kube-apiserver's: every create, update and delete passes each plugin's {@link #mutate}
 * (in order, after the type's defaults), then validation, then each plugin's {@link #validate}. A plugin refuses
 * by throwing an {@link ApiException}; mutate may change {@link AdmissionRequest#object()}.
 */
public interface AdmissionPlugin {
    /** The plugin's name in errors and logs. */
    String name();

    /** Changes the object before validation. */
    default void mutate(AdmissionRequest request) {
    }

    /** Accepts or refuses the request after validation; must not change the object. */
    default void validate(AdmissionRequest request) {
    }
}
