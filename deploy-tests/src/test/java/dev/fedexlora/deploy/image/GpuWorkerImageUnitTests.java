package dev.fedexlora.deploy.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import dev.fedexlora.deploy.RepositoryFiles;

/**
 * The GPU worker image as worker-service's {@code gpu} profile declares it, checked against what it must agree with
 * without building or pulling anything: the libtorch version lora-train is built against, the JNI bridge that
 * pytorch-jni ships for the CUDA flavour, and the PyTorch base image of {@code worker-service/gpu-base/Dockerfile}.
 * {@link GpuWorkerImageIntegrationTests} checks the image Jib actually writes.
 */
class GpuWorkerImageUnitTests {

    private static final PomFile WORKER = PomFile.of("worker-service");
    private static final Element GPU = WORKER.profile("gpu");

    static Map<String, String> environment() {
        return PomFile.map(PomFile.child(PomFile.plugin(GPU, "jib-maven-plugin"), "configuration/container/environment"));
    }

    static String libtorchVersion() {
        return PomFile.text(PomFile.of("lora-train").root(), "properties/pytorch.native.version");
    }

    @Test
    void theProfileLeavesTheCpuLibtorchOutOfTheImageAndNamesItsOwnTag() {
        Element cpuLibtorch = PomFile.dependency(GPU, "pytorch-native-cpu");
        // provided: on the compile and test classpaths, never packaged by Jib.
        assertThat(PomFile.text(cpuLibtorch, "scope")).isEqualTo("provided");
        assertThat(PomFile.text(cpuLibtorch, "version")).isEqualTo(libtorchVersion());
        assertThat(PomFile.text(cpuLibtorch, "classifier")).isEqualTo("linux-x86_64");
        Element jib = PomFile.plugin(GPU, "jib-maven-plugin");
        assertThat(PomFile.text(jib, "configuration/to/image")).isEqualTo("fedex-lora/worker-service:${project.version}-gpu");
        assertThat(PomFile.text(jib, "configuration/from/image")).isEqualTo("${fedex.gpu.base}");
        // Bound to package, so `-am` builds lora-core and lora-train without asking Jib for their (absent) images.
        assertThat(PomFile.text(jib, "executions/execution/phase")).isEqualTo("package");
        assertThat(PomFile.text(jib, "executions/execution/goals/goal")).isEqualTo("${fedex.gpu.goal}");
        assertThat(PomFile.map(PomFile.child(GPU, "properties"))).containsEntry("fedex.gpu.goal", "buildTar");
    }

    @Test
    void djlIsPointedAtTheBaseImagesLibtorchOfTheVersionAndFlavourItsJniBridgeShips() throws IOException {
        Map<String, String> env = environment();
        assertThat(env).containsOnlyKeys("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR");
        // DJL 0.36 loads libtorch from PYTORCH_LIBRARY_PATH, then the JNI library for PYTORCH_VERSION and
        // PYTORCH_FLAVOR from pytorch-jni (jnilib/<classifier>/<flavour>/); any other version would be downloaded.
        assertThat(env.get("PYTORCH_VERSION")).isEqualTo(libtorchVersion());
        String jniVersion = PomFile.text(PomFile.of("lora-train").root(), "properties/pytorch.jni.version");
        try (InputStream properties = getClass().getResourceAsStream("/jnilib/pytorch.properties")) {
            assertThat(properties).as("pytorch-jni on the test classpath").isNotNull();
            Properties p = new Properties();
            p.load(properties);
            assertThat(p.getProperty("jni_version")).as("deploy-tests tests the pytorch-jni lora-train ships")
                    .isEqualTo(jniVersion).startsWith(env.get("PYTORCH_VERSION") + "-");
        }
        String jni = "/jnilib/linux-x86_64/" + env.get("PYTORCH_FLAVOR") + "/libdjl_torch.so";
        try (InputStream library = getClass().getResourceAsStream(jni)) {
            assertThat(library).as(jni).isNotNull();
            assertThat(library.readNBytes(4)).as("an ELF library").containsExactly(0x7f, 'E', 'L', 'F');
        }
    }

    @Test
    void theBaseImageIsPyTorchsCudaRuntimeOfThatVersionAndFlavourPinnedByDigest() {
        String dockerfile = RepositoryFiles.read(RepositoryFiles.resolve("worker-service/gpu-base/Dockerfile"));
        Map<String, String> env = environment();
        List<String> froms = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(froms).hasSize(2).allSatisfy(from -> assertThat(from)
                .matches("FROM [a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}( AS [a-z]+)?"));
        Matcher pytorch = Pattern.compile("FROM pytorch/pytorch:(\\d+\\.\\d+\\.\\d+)-cuda(\\d+)\\.(\\d+)-cudnn\\d+-runtime@")
                .matcher(froms.get(1));
        assertThat(pytorch.find()).as(froms.get(1)).isTrue();
        assertThat(pytorch.group(1)).isEqualTo(env.get("PYTORCH_VERSION"));
        assertThat("cu" + pytorch.group(2) + pytorch.group(3)).isEqualTo(env.get("PYTORCH_FLAVOR"));
        // The Java the services are compiled for.
        assertThat(froms.get(0)).startsWith("FROM eclipse-temurin:"
                + PomFile.text(PomFile.of(".").root(), "properties/java.version") + ".");
        // The image build itself fails if the library path or the torch build differ from what the profile says.
        assertThat(dockerfile).contains("test -f " + env.get("PYTORCH_LIBRARY_PATH") + "/libtorch.so")
                .contains("torch.__version__.startswith('" + env.get("PYTORCH_VERSION") + "')")
                .contains("torch.version.cuda == '" + pytorch.group(2) + "." + pytorch.group(3) + "'");
    }
}
