package io.keelson.kernel;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.keelson.store.Compare;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.KeyValue;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.TxnOp;
import io.keelson.store.TxnRequest;
import io.keelson.store.TxnResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The writes of one resource type, as kube-apiserver's generic registry store does them: defaults, admission,
 * validation, then a compare-and-swap transaction on the key's mod revision. Reads are {@link CacheReads}'.
 *
 * <p>Thread-safe and stateless between calls: every write reads the stored object and swaps it only if it is
 * still the one read.
 */
final class ResourceStore<T extends HasMetadata> {
    /** {@code generateName} tries this many names before giving up, as the apiserver does. */
    private static final int GENERATE_NAME_ATTEMPTS = 8;
    /** Unconditional writes (no resourceVersion given) retry lost races this many times. */
    private static final int UNCONDITIONAL_ATTEMPTS = 16;
    /** Creates of a Service whose randomly picked address or port another write took meanwhile. */
    private static final int ALLOCATION_ATTEMPTS = 8;

    final ResourceType<T> type;
    final Environment env;
    final CacheReads<T> reads;

    ResourceStore(ResourceType<T> type, Environment env) {
        this.type = type;
        this.env = env;
        this.reads = new CacheReads<>(type, env);
    }

    /** A stored object (our own copy), its bytes as stored, and the mod revision it was read at. */
    record Stored<T>(T object, ByteString value, long modRevision) {
    }

    T create(String namespace, T input) {
        for (int attempt = 1; ; attempt++) {
            try {
                return createAttempt(namespace, input);
            } catch (LostRace e) {
                // another write took an address or port this one picked: pick again
                if (attempt == ALLOCATION_ATTEMPTS) {
                    throw Statuses.internal("failed to allocate the Service's cluster IP or node ports after "
                            + ALLOCATION_ATTEMPTS + " attempts");
                }
            }
        }
    }

    /**
     * {@link #create}, without waiting for the store: the object is checked and encoded on the caller's thread, and
     * the future completes when the store answered. What follows a failed compare (another name for
     * {@code generateName}, another address for a Service) runs as {@link #create} on the kernel's executor.
     */
    CompletableFuture<T> createAsync(String namespace, T input) {
        PreparedCreate<T> prepared;
        boolean generate;
        T retryFrom;
        try {
            T object = copyForCreate(namespace, input);
            generate = generatesName(object.getMetadata());
            // a retry starts again from the object as given, which the caller may change once this call returns
            retryFrom = generate || object instanceof Service ? ObjectCodec.copy(object, type.javaType()) : null;
            if (generate) {
                object.getMetadata().setName(env.generatedName(object.getMetadata().getGenerateName()));
            }
            prepared = prepareCreate(object);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        ObjectMeta meta = prepared.object().getMetadata();
        return env.async(env.store().txn(prepared.txn()), "create " + meta.getName()).thenCompose(response -> {
            if (response.succeeded()) {
                meta.setResourceVersion(Long.toString(response.header().revision()));
                return CompletableFuture.completedFuture(prepared.object());
            }
            if (retryFrom == null) {
                return CompletableFuture.failedFuture(Statuses.alreadyExists(type, meta.getName()));
            }
            return CompletableFuture.supplyAsync(() -> create(namespace, retryFrom), env.executor());
        });
    }

    private T createAttempt(String namespace, T input) {
        T object = copyForCreate(namespace, input);
        ObjectMeta meta = object.getMetadata();
        boolean generate = generatesName(meta);
        for (int attempt = 1; ; attempt++) {
            if (generate) {
                meta.setName(env.generatedName(meta.getGenerateName()));
            }
            try {
                return createOnce(object);
            } catch (ApiException e) {
                if (!generate || !"AlreadyExists".equals(e.reason())) {
                    throw e;
                }
                if (attempt == GENERATE_NAME_ATTEMPTS) {
                    throw Statuses.generateNameConflict(type, meta.getName());
                }
            }
        }
    }

    /** The caller's object copied, in its namespace; a resourceVersion is refused. */
    private T copyForCreate(String namespace, T input) {
        T object = ObjectCodec.copy(input, type.javaType());
        MetadataValidation.requireMeta(object);
        ObjectMeta meta = object.getMetadata();
        meta.setNamespace(scopedNamespace(namespace, meta.getNamespace()));
        if (meta.getResourceVersion() != null && !meta.getResourceVersion().isEmpty()) {
            throw Statuses.badRequest("resourceVersion should not be set on objects to be created");
        }
        return object;
    }

    private static boolean generatesName(ObjectMeta meta) {
        return (meta.getName() == null || meta.getName().isEmpty())
                && meta.getGenerateName() != null && !meta.getGenerateName().isEmpty();
    }

    /** A create ready for the store: the object as it will be stored, and the transaction that stores it. */
    private record PreparedCreate<T>(T object, TxnRequest txn, ServiceRanges.Claims claims, Set<ByteString> requested) {
    }

    /** Server-set fields, defaults, admission and validation, then the transaction that creates the key. */
    private PreparedCreate<T> prepareCreate(T object) {
        ObjectMeta meta = object.getMetadata();
        meta.setUid(env.uid());
        meta.setCreationTimestamp(env.now());
        meta.setDeletionTimestamp(null);
        meta.setDeletionGracePeriodSeconds(null);
        meta.setGeneration(null);
        Defaults.apply(object);
        admit(AdmissionRequest.Operation.CREATE, object, null, "", true);
        Strategies.prepareForCreate(object);
        Set<ByteString> requested = heldKeys(object);
        ServiceRanges.Claims claims = object instanceof Service svc ? env.serviceRanges().allocate(env, svc, null)
                : ServiceRanges.Claims.NONE;
        List<FieldError> errors = new ArrayList<>(MetadataValidation.create(type, meta));
        errors.addAll(KindValidation.create(object));
        failIfInvalid(meta.getName(), errors);
        admit(AdmissionRequest.Operation.CREATE, object, null, "", false);
        ByteString key = key(meta.getNamespace(), meta.getName());
        List<Compare> compares = new ArrayList<>(List.of(Compare.createRevision(key, Compare.Result.EQUAL, 0)));
        List<TxnOp> ops = new ArrayList<>(List.of(put(key, ObjectCodec.encode(object))));
        claim(object, claims, compares, ops);
        return new PreparedCreate<>(object, TxnRequest.of(compares, ops, List.of()), claims, requested);
    }

    private T createOnce(T object) {
        PreparedCreate<T> prepared = prepareCreate(object);
        ObjectMeta meta = object.getMetadata();
        TxnResponse response = env.await(env.store().txn(prepared.txn()), "create " + meta.getName());
        if (!response.succeeded()) {
            if (prepared.claims().acquire().isEmpty() || read(meta.getNamespace(), meta.getName()) != null) {
                throw Statuses.alreadyExists(type, meta.getName());
            }
            env.serviceRanges().explainConflict(env, (Service) object, prepared.claims(), prepared.requested());
            throw new LostRace();
        }
        meta.setResourceVersion(Long.toString(response.header().revision()));
        return object;
    }

    /**
     * An update of the main resource or of its status: the new object replaces the stored one, except what the
     * server owns (identity, creation, deletion, generation) and what the other subresource owns.
     */
    T update(String namespace, T input, boolean status) {
        MetadataValidation.requireMeta(input);
        String name = input.getMetadata().getName();
        if (name == null || name.isEmpty()) {
            throw Statuses.badRequest("name is required for an update");
        }
        String ns = scopedNamespace(namespace, input.getMetadata().getNamespace());
        String rv = input.getMetadata().getResourceVersion();
        boolean conditional = rv != null && !rv.isEmpty();
        for (int attempt = 1; ; attempt++) {
            Stored<T> stored = conditional ? reads.storedAt(ns, name, parseVersion(name, rv)) : read(ns, name);
            if (stored == null) {
                throw Statuses.notFound(type, name);
            }
            if (conditional && stored.modRevision() != parseVersion(name, rv)) {
                throw Statuses.staleResourceVersion(type, name);
            }
            String uid = input.getMetadata().getUid();
            if (uid != null && !uid.isEmpty() && !uid.equals(stored.object().getMetadata().getUid())) {
                throw Statuses.conflict(type, name, "StorageError: invalid object, Code: 4, Key: "
                        + type.key(ns, name) + ", ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in"
                        + " precondition: " + uid + ", UID in object meta: " + stored.object().getMetadata().getUid());
            }
            // a status write takes only the status from the caller's object, and copies only that (withStatusOf)
            T object = status ? input : ObjectCodec.copy(input, type.javaType());
            if (!status) {
                object.getMetadata().setNamespace(ns);
            }
            try {
                return replace(stored, object, status);
            } catch (LostRace e) {
                if (conditional) {
                    throw Statuses.staleResourceVersion(type, name);
                }
                if (attempt == UNCONDITIONAL_ATTEMPTS) {
                    throw Statuses.staleResourceVersion(type, name);
                }
            }
        }
    }

    /**
     * Applies the update rules to {@code object} against {@code stored}, then swaps it in (or deletes the object
     * when its last finalizer went and its deletion is due).
     *
     * @throws LostRace when the stored object changed meanwhile
     */
    T replace(Stored<T> stored, T object, boolean status) {
        T old = stored.object();
        T updated = status ? withStatusOf(stored, object) : withoutStatusChange(old, object);
        ObjectMeta meta = updated.getMetadata();
        ObjectMeta oldMeta = old.getMetadata();
        meta.setUid(oldMeta.getUid());
        meta.setCreationTimestamp(oldMeta.getCreationTimestamp());
        meta.setDeletionTimestamp(oldMeta.getDeletionTimestamp());
        meta.setDeletionGracePeriodSeconds(oldMeta.getDeletionGracePeriodSeconds());
        meta.setGeneration(oldMeta.getGeneration());
        meta.setName(oldMeta.getName());
        meta.setGenerateName(oldMeta.getGenerateName());
        Defaults.apply(updated);
        if (!status) {
            Strategies.prepareForUpdate(updated, old);
        }
        String sub = status ? "status" : "";
        admit(AdmissionRequest.Operation.UPDATE, updated, old, sub, true);
        if (!status && Strategies.usesGeneration(updated) && Strategies.specChanged(updated, old)) {
            meta.setGeneration(oldMeta.getGeneration() == null ? 1 : oldMeta.getGeneration() + 1);
        }
        Set<ByteString> requested = heldKeys(updated);
        ServiceRanges.Claims claims = !status && updated instanceof Service svc
                ? env.serviceRanges().allocate(env, svc, (Service) old) : ServiceRanges.Claims.NONE;
        List<FieldError> errors = new ArrayList<>(MetadataValidation.update(type, meta, oldMeta));
        if (!status) {
            errors.addAll(KindValidation.update(updated, old));
        }
        failIfInvalid(meta.getName(), errors);
        admit(AdmissionRequest.Operation.UPDATE, updated, old, sub, false);
        ByteString value = ObjectCodec.encode(updated);
        ByteString key = key(meta.getNamespace(), meta.getName());
        if (meta.getDeletionTimestamp() != null && !Strategies.hasPendingFinalizers(updated)
                && (meta.getDeletionGracePeriodSeconds() == null || meta.getDeletionGracePeriodSeconds() == 0)) {
            remove(key, stored.modRevision(), old);
            meta.setResourceVersion(Long.toString(stored.modRevision()));
            return updated;
        }
        if (value.equals(stored.value())) {
            return old; // nothing changed: nothing is written and the resourceVersion stays
        }
        try {
            meta.setResourceVersion(Long.toString(swap(key, stored.modRevision(), value, updated, claims)));
        } catch (LostRace e) {
            if (!claims.acquire().isEmpty()) {
                env.serviceRanges().explainConflict(env, (Service) updated, claims, requested);
            }
            throw e;
        }
        return updated;
    }

    /** Main-resource writes keep the stored status when the type has a status subresource. */
    private T withoutStatusChange(T old, T object) {
        if (type.statusSubresource() && ObjectParts.hasStatus(object)) {
            ObjectParts.copyStatus(old, object); // both are this call's own copies
        }
        return object;
    }

    /**
     * Status writes take only the status (a copy: {@code object} may be the caller's), and what the type's status
     * strategy lets through besides, onto a second decoding of the stored object.
     */
    private T withStatusOf(Stored<T> stored, T object) {
        if (!type.statusSubresource() || !ObjectParts.hasStatus(object)) {
            throw Statuses.notFound(type, stored.object().getMetadata().getName() + "/status");
        }
        T updated = ObjectCodec.decode(type.javaType(), stored.value(), stored.modRevision());
        ObjectParts.copyStatusDeep(object, updated);
        Strategies.prepareForStatusUpdate(updated, object);
        return updated;
    }

    /** Writes {@code value} if the key is still at {@code modRevision}; returns the new revision. */
    long swap(ByteString key, long modRevision, ByteString value) {
        return swap(key, modRevision, value, null, ServiceRanges.Claims.NONE);
    }

    /** {@link #swap}, without waiting: the future completes with the new revision, or fails with {@link LostRace}. */
    CompletableFuture<Long> swapAsync(ByteString key, long modRevision, ByteString value) {
        TxnRequest txn = swapTxn(key, modRevision, value, null, ServiceRanges.Claims.NONE);
        return env.async(env.store().txn(txn), "update " + key.toStringUtf8()).thenCompose(r -> r.succeeded()
                ? CompletableFuture.completedFuture(r.header().revision())
                : CompletableFuture.failedFuture(new LostRace()));
    }

    /** {@link #swap}, taking and giving back the object's range keys in the same transaction. */
    private long swap(ByteString key, long modRevision, ByteString value, T object, ServiceRanges.Claims claims) {
        TxnResponse r = env.await(env.store().txn(swapTxn(key, modRevision, value, object, claims)),
                "update " + key.toStringUtf8());
        if (!r.succeeded()) {
            throw new LostRace();
        }
        return r.header().revision();
    }

    /** The compare-and-swap of {@code value} for the key at {@code modRevision}, with the object's claims. */
    private TxnRequest swapTxn(ByteString key, long modRevision, ByteString value, T object,
                               ServiceRanges.Claims claims) {
        List<Compare> compares = new ArrayList<>(List.of(Compare.modRevision(key, Compare.Result.EQUAL, modRevision)));
        List<TxnOp> ops = new ArrayList<>(List.of(put(key, value)));
        claim(object, claims, compares, ops);
        return TxnRequest.of(compares, ops, List.of());
    }

    /** Adds the claims to a write: each key taken must be free and records its holder; released keys go. */
    private static void claim(HasMetadata object, ServiceRanges.Claims claims, List<Compare> compares,
                              List<TxnOp> ops) {
        for (ByteString k : claims.acquire()) {
            compares.add(Compare.createRevision(k, Compare.Result.EQUAL, 0));
            ops.add(PutRequest.of(k, ServiceRanges.holder((Service) object)));
        }
        for (ByteString k : claims.release()) {
            ops.add(DeleteRangeRequest.key(k));
        }
    }

    /** The range keys a stored object holds (a Service's cluster IP and node ports); none for other types. */
    static Set<ByteString> heldKeys(HasMetadata object) {
        return object instanceof Service svc ? ServiceRanges.held(svc) : Set.of();
    }

    /** The put of an object; one with a time to live goes under a shared lease, renewed by every write. */
    private PutRequest put(ByteString key, ByteString value) {
        PutRequest put = PutRequest.of(key, value);
        return type.ttl().isZero() ? put : put.withLease(env.leases().leaseFor(type.ttl(), env));
    }

    /** Deletes the key if it is still at {@code modRevision}, with the range keys the stored object held. */
    void remove(ByteString key, long modRevision, T stored) {
        List<TxnOp> ops = new ArrayList<>(List.of(DeleteRangeRequest.key(key)));
        heldKeys(stored).forEach(k -> ops.add(DeleteRangeRequest.key(k)));
        TxnResponse r = env.await(env.store().txn(TxnRequest.of(
                List.of(Compare.modRevision(key, Compare.Result.EQUAL, modRevision)), ops, List.of())),
                "delete " + key.toStringUtf8());
        if (!r.succeeded()) {
            throw new LostRace();
        }
    }

    /** The stored object, read linearizably from the store; null when there is none. */
    Stored<T> read(String namespace, String name) {
        RangeResponse r = env.await(env.store().range(RangeRequest.key(key(namespace, name))), "get " + name);
        if (r.kvs().isEmpty()) {
            return null;
        }
        KeyValue kv = r.kvs().get(0);
        return new Stored<>(ObjectCodec.decode(type.javaType(), kv), kv.value(), kv.modRevision());
    }

    /**
     * The object as the watch cache has it, decoded into a copy of the caller's; null when the cache has none. It may
     * be stale: a compare-and-swap on its mod revision proves it current, as kube-apiserver's GuaranteedUpdate starts
     * from its cached object; anything else decided on it must be confirmed with {@link #read}.
     */
    Stored<T> readCached(String namespace, String name) {
        KeyValue kv = reads.any(namespace, name);
        return kv == null ? null : new Stored<>(ObjectCodec.decode(type.javaType(), kv), kv.value(), kv.modRevision());
    }

    void admit(AdmissionRequest.Operation op, HasMetadata object, HasMetadata old, String subresource,
               boolean mutating) {
        AdmissionRequest request = new AdmissionRequest(op, type, object.getMetadata().getNamespace() == null ? ""
                : object.getMetadata().getNamespace(), object.getMetadata().getName(), subresource, object, old,
                env.kernel());
        for (AdmissionPlugin plugin : env.admission()) {
            if (mutating) {
                plugin.mutate(request);
            } else {
                plugin.validate(request);
            }
        }
    }

    void failIfInvalid(String name, List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw Statuses.invalid(type, name == null ? "" : name, dedupe(errors));
        }
    }

    private static List<FieldError> dedupe(List<FieldError> errors) {
        List<FieldError> unique = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (FieldError e : errors) {
            if (seen.add(e.toString())) {
                unique.add(e);
            }
        }
        return unique;
    }

    String scopedNamespace(String requested, String inObject) {
        if (!type.namespaced()) {
            return null;
        }
        boolean hasRequested = requested != null && !requested.isEmpty();
        boolean hasObject = inObject != null && !inObject.isEmpty();
        if (hasRequested && hasObject && !requested.equals(inObject)) {
            throw Statuses.badRequest("the namespace of the provided object does not match the namespace sent on"
                    + " the request");
        }
        return hasRequested ? requested : hasObject ? inObject : "default";
    }

    ByteString key(String namespace, String name) {
        return ByteString.copyFromUtf8(type.key(namespace, name));
    }

    long parseVersion(String name, String rv) {
        try {
            long v = Long.parseLong(rv);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw Statuses.invalid(type, name, List.of(FieldError.invalid("metadata.resourceVersion", rv,
                    "must be a positive integer")));
        }
    }

    /** The stored object changed between our read and our compare-and-swap. */
    static final class LostRace extends RuntimeException {
        LostRace() {
            super(null, null, false, false);
        }
    }
}
