package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import dev.fedexlora.core.ref.ModelVersionUri;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Download a version's artifacts (adapter, residual, report) into DIR, each checked against"
                + " the SHA-256 the registry records; with --export, the merged Hugging Face checkpoint instead.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class VersionDownloadCommand implements Callable<Integer> {

    /** A file name the registry may hand out: one plain name, or one under the export's {@code adapter/}. */
    static final Pattern FILE = Pattern.compile("(adapter/)?[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VERSION", description = "The version.")
    String version;

    @Parameters(index = "1", paramLabel = "DIR", description = "Where to write the files (created if missing).")
    Path dir;

    @Option(names = "--export", description = "Download the merged checkpoint (model.safetensors, config.json,"
            + " tokenizer.json, adapter/) rather than the version's own artifacts.")
    boolean export;

    @Option(names = "--force", description = "Replace files that already exist in DIR.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        ModelVersionUri ref = VersionRef.parse("VERSION", version);
        PlatformClient client = api.client();
        Map<String, Remote> files = new LinkedHashMap<>();
        if (export) {
            JsonNode answer = client.post(Service.REGISTRY, VersionRef.path(ref) + "/export", null);
            for (Map.Entry<String, JsonNode> f : answer.path("files").properties()) {
                files.put(f.getKey(), new Remote(f.getValue().path("url").asString(),
                        f.getValue().path("sha256").asString()));
            }
        } else {
            JsonNode v = client.get(Service.REGISTRY, VersionRef.path(ref));
            String number = v.path("version").asString();
            for (JsonNode a : v.path("artifacts")) {
                String file = a.path("file").asString();
                checkName(file);
                JsonNode signed = client.get(Service.REGISTRY, "/api/v1/models/" + ref.name() + "/versions/" + number
                        + "/artifacts/" + file + "?presign=true");
                files.put(file, new Remote(signed.path("url").asString(), signed.path("sha256").asString()));
            }
        }
        Path root = Files.createDirectories(dir).toRealPath();
        Map<String, Path> targets = new LinkedHashMap<>();
        for (String name : files.keySet()) {
            checkName(name);
            Path target = root.resolve(name).normalize();
            if (!target.startsWith(root)) {
                throw new IllegalArgumentException("the registry named a file outside DIR: '" + name + "'");
            }
            if (Files.exists(target) && !force) {
                throw new IllegalArgumentException(target + ": exists (use --force to replace it)");
            }
            targets.put(name, target);
        }
        PrintWriter out = spec.commandLine().getOut();
        for (Map.Entry<String, Path> t : targets.entrySet()) {
            Files.createDirectories(t.getValue().getParent());
            Remote r = files.get(t.getKey());
            long size = client.download(URI.create(r.url()), t.getValue(), r.sha256(), t.getKey() + " of " + ref);
            out.printf(Locale.ROOT, "%-36s %12d bytes  sha256 %s  ok%n", t.getKey(), size, r.sha256());
        }
        out.printf(Locale.ROOT, "%d files in %s%n", targets.size(), root);
        out.flush();
        return 0;
    }

    private static void checkName(String name) {
        if (!FILE.matcher(name).matches()) {
            throw new IllegalArgumentException("the registry named a file '" + name + "' that is not a plain file"
                    + " name; refusing to write it");
        }
    }

    private record Remote(String url, String sha256) {
    }
}
