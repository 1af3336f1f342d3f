package dev.holdfast.pki;

import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real {@code openssl} command, for tests that let a standard tool judge what we produce. */
public final class OpenSsl {
    private final Path dir;
    private final String binary;

    public OpenSsl(Path dir) {
        this.dir = dir;
        this.binary = ExternalTool.require("openssl").toString();
    }

    public ProcessRun run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary);
        cmd.addAll(List.of(args));
        return ProcessRun.run(dir, cmd);
    }

    /** Makes a key and a DER CSR with openssl; returns the CSR bytes. keySpec: "ec:P-256", "rsa:2048", "ed25519". */
    public byte[] csr(String name, String keySpec, String subject) {
        List<String> cmd = new ArrayList<>(List.of("req", "-new", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-outform", "DER", "-subj", subject));
        switch (keySpec.split(":")[0]) {
            case "ec" -> cmd.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:" + keySpec.split(":")[1]));
            case "rsa" -> cmd.addAll(List.of("-newkey", "rsa:" + keySpec.split(":")[1]));
            case "ed25519" -> cmd.addAll(List.of("-newkey", "ed25519"));
            default -> throw new IllegalArgumentException(keySpec);
        }
        run(cmd.toArray(String[]::new)).assertSuccess("openssl req");
        try {
            return Files.readAllBytes(dir.resolve(name + ".csr"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
