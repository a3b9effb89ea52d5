package dev.fedexlora.cli.experiment;

import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.DecoderConfig;
import dev.fedexlora.train.decoder.LmData;
import dev.fedexlora.train.decoder.LmTrainer;
import dev.fedexlora.train.decoder.RandomDecoder;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * The base model of the causal-LM study: no pretrained decoder is available offline, so a small Llama-architecture
 * decoder with the Llama 2 tokenizer ({@code .cache/tokenizers/llama2}) is initialised at random and pretrained
 * centrally, every parameter trained, on every fortune of Debian's {@code fortunes} package (real English text, none
 * of it in the fine-tuning data). The result is cached under {@code <data>/<key>} with {@code pretraining.json}
 * (settings, wall time, held-out loss before and after), so later runs with the same settings reuse it.
 */
final class DecoderPretraining {

    /** Shape and schedule of the pretraining; the cache key is derived from it. */
    record Settings(int hidden, int intermediate, int layers, int heads, int maxLength, int batchSize, int steps,
                    double learningRate, long seed) {

        String key() {
            return String.format(Locale.ROOT, "llama-h%d-i%d-l%d-a%d-t%d-b%d-s%d-lr%s-seed%d", hidden, intermediate,
                    layers, heads, maxLength, batchSize, steps, Double.toString(learningRate), seed);
        }
    }

    static final Settings DEFAULT = new Settings(64, 176, 2, 4, 32, 8, 200, 1e-2, 1);
    static final Path TOKENIZER = Path.of(".cache/tokenizers/llama2/tokenizer.json");
    static final String FORTUNES_DIR = "/usr/share/games/fortunes";
    /** Fortunes held out of pretraining to measure it. */
    static final int HELD_OUT = 256;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What pretraining.json records. */
    record Info(Settings settings, int corpusTexts, long trainTokens, double seconds, double initialLoss,
                double finalLoss, String corpus) {
    }

    private DecoderPretraining() {
    }

    /** The cached base model for {@code s}, pretrained first when it is not there. */
    static DecoderCheckpoint ensure(Path home, Path cacheDir, Settings s, PrintStream err) throws IOException {
        Path dir = cacheDir.resolve(s.key());
        Path info = dir.resolve("pretraining.json");
        if (Files.isRegularFile(info) && Files.isRegularFile(dir.resolve(DecoderConfig.FILE))) {
            err.println("pretrained base model: " + dir + " (cached)");
            return DecoderCheckpoint.load(dir);
        }
        Path tokenizer = home.resolve(TOKENIZER);
        if (!Files.isRegularFile(tokenizer)) {
            throw new IllegalArgumentException(tokenizer + ": the Llama 2 tokenizer is missing (see README.md, tokenizers)");
        }
        Path fortunes = Path.of(System.getenv().getOrDefault("FORTUNES_DIR", FORTUNES_DIR));
        List<String> texts = fortunes(fortunes);
        Collections.shuffle(texts, new Random(s.seed()));
        int held = Math.min(HELD_OUT, texts.size() / 10);
        List<LmData.Example> heldOut = texts.subList(0, held).stream().map(t -> new LmData.Example(null, null, t)).toList();
        List<LmData.Example> train = texts.subList(held, texts.size()).stream()
                .map(t -> new LmData.Example(null, null, t)).toList();

        Path tmp = cacheDir.resolve(s.key() + ".tmp");
        deleteTree(tmp);
        int bos = DecoderCheckpoint.specialTokenId(tokenizer, "<s>");
        int eos = DecoderCheckpoint.specialTokenId(tokenizer, "</s>");
        DecoderConfig config = new DecoderConfig("llama", DecoderCheckpoint.vocabularySize(tokenizer), s.hidden(),
                s.intermediate(), s.layers(), s.heads(), s.heads(), s.hidden() / s.heads(), 1e-5, 10000, null,
                4 * s.maxLength(), true, false, 0, bos, List.of(eos), -1);
        RandomDecoder.write(tmp, config, DType.F32, 1, 0.02, s.seed(), tokenizer);
        DecoderCheckpoint init = DecoderCheckpoint.load(tmp);
        err.printf(Locale.ROOT, "pretraining %s on %d fortunes (%d held out) from %s, %d steps of %d sequences%n",
                s.key(), train.size(), held, fortunes, s.steps(), s.batchSize());
        long started = System.nanoTime();
        double initialLoss;
        double finalLoss;
        TrainingReport report;
        try (LmData.Tokens tokens = LmData.Tokens.of(init, s.maxLength());
             CausalLm model = CausalLm.createFull(init)) {
            List<LmData.Sequence> trainSeqs = tokens.sequences(train);
            List<LmData.Sequence> heldSeqs = tokens.sequences(heldOut);
            initialLoss = LmTrainer.evaluate(model, heldSeqs, 32, 0).loss();
            TrainingConfig schedule = new TrainingConfig(s.learningRate(), s.batchSize(), s.steps(), 0, 0.06, 0.0, 1.0,
                    s.maxLength(), s.seed());
            int every = Math.max(1, s.steps() / 10);
            long t0 = System.nanoTime();
            report = LmTrainer.train(model, trainSeqs, heldSeqs, schedule, 1, 0, (step, total, loss, lr) -> {
                if (step % every == 0 || step == total) {
                    err.printf(Locale.ROOT, "pretraining step %d/%d loss %.3f (%.0f s)%n", step, total, loss,
                            (System.nanoTime() - t0) / 1e9);
                }
            });
            finalLoss = report.eval().loss();
            model.toCheckpoint(init).save(tmp);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Info i = new Info(s, texts.size(), report.tokens(), seconds, initialLoss, finalLoss, fortunes.toString());
        Files.writeString(tmp.resolve("pretraining.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(i));
        deleteTree(dir);
        Files.move(tmp, dir);
        err.printf(Locale.ROOT, "pretrained in %.0f s: held-out loss %.3f -> %.3f (perplexity %.0f -> %.0f); cached in %s%n",
                seconds, initialLoss, finalLoss, Math.exp(initialLoss), Math.exp(finalLoss), dir);
        return DecoderCheckpoint.load(dir);
    }

    /** pretraining.json of a cached base model. */
    static Info info(Path checkpointDir) throws IOException {
        return JSON.readValue(checkpointDir.resolve("pretraining.json").toFile(), Info.class);
    }

    /**
     * Every fortune of every file in {@code dir} (fortune-mod's format: texts separated by lines holding only
     * {@code %}), whitespace joined onto one line; index files ({@code .dat}), links and sub-directories skipped,
     * invalid UTF-8 replaced.
     */
    static List<String> fortunes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": Debian's fortunes are missing (apt-get install fortunes, or "
                    + "FORTUNES_DIR=<a fortune-mod directory>)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.getFileName().toString().contains(".")).sorted().toList();
        }
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f))).toString();
            StringBuilder cur = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                if (line.strip().equals("%")) {
                    add(out, cur);
                    cur.setLength(0);
                } else {
                    cur.append(' ').append(line);
                }
            }
            add(out, cur);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no fortunes found");
        }
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String t = cur.toString().replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        if (t.length() >= 10) {
            out.add(t);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
