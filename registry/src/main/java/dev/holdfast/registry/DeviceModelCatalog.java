package dev.holdfast.registry;

import java.util.List;
import java.util.Optional;

/** The device models devices point at. A model in use by a device cannot be deleted. */
public interface DeviceModelCatalog {

    /** Adds a model; refused with {@code model-exists} (409) when the id is taken. */
    DeviceModel create(DeviceModel.Definition definition, String actor);

    Optional<DeviceModel> find(String id);

    /** The model, or a {@code model-not-found} refusal (404). */
    default DeviceModel get(String id) {
        return find(id).orElseThrow(() -> RegistryRefusal.notFound("model-not-found", "device model '" + RegistryLimits.excerpt(id)
                + "' does not exist").exception());
    }

    /** Models in id order after {@code after}, at most {@code limit} (1..1000). */
    List<DeviceModel> list(Optional<String> after, int limit);

    /** Replaces every field but the id; refused when the model does not exist. */
    DeviceModel replace(DeviceModel.Definition definition, String actor);

    /** Removes a model no device points at; {@code model-in-use} (409) otherwise. */
    void delete(String id, String actor);
}
