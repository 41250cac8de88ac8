package dev.mlm4j;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The floors of mlm4j-core (README, "Architecture"): a package imports only packages on its own floor or below it,
 * and no two packages import each other, however indirectly. Bottom first:
 * <pre>
 *   0  tensor, util                       numbers and progress: import nothing of mlm4j
 *   1  kernels, tokens                    the numeric kernels; text → token ids
 *   2  config                             each family's config record, Batch, Precision
 *   3  weights (+ tf, onnx, safetensors)  the formats: named tensors, no model and no hub
 *   4  layers, attention                  Linear, LayerNorm; the seed's attention
 *   5  embeddings, encoder, heads         one class per transformers module
 *   6  model, hub                         the assembled models, the family seam, Checkpoint; the model catalogue
 *   7  pipelines, convert                 fill-mask, embeddings, Models; the converter to Hugging Face folders
 *   8  explorer                           the attention explorer, on the pipelines (the evaluations are mlm4j-eval)
 * </pre>
 * A new package gets a floor here; a new family, head or kernel goes into the floor of its kind.
 */
class ArchitectureTest {

    private static final List<List<String>> FLOORS = List.of(
            List.of("tensor", "util"),
            List.of("kernels", "tokens"),
            List.of("config"),
            List.of("weights"),
            List.of("layers", "attention"),
            List.of("embeddings", "encoder", "heads"),
            List.of("model", "hub"),
            List.of("pipelines", "convert", "train"),   // train: optimiser, schedule and loop over model.Trainable; beside pipelines, which it does not import
            List.of("explorer"));

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("mlm4j-test-support"))   // the tests' module, not the core jar
                .importPackages("dev.mlm4j");
    }

    private static String pkg(String name) {
        return "dev.mlm4j." + name + "..";
    }

    /** Every top-level package of the core jar has a floor: a new one must be placed before it can be checked. */
    @Test
    void everyPackageHasAFloor() {
        List<String> placed = FLOORS.stream().flatMap(List::stream).toList();
        List<String> unplaced = core.stream().map(c -> c.getPackageName())
                .filter(p -> p.startsWith("dev.mlm4j."))
                .map(p -> p.substring("dev.mlm4j.".length()).split("\\.")[0])
                .distinct().filter(p -> !placed.contains(p)).sorted().toList();
        assertTrue(unplaced.isEmpty(), "packages without a floor in ArchitectureTest.FLOORS: " + unplaced);
        assertFalse(core.isEmpty());
    }

    /** No import runs up a floor: each package imports only its own floor and the floors below. */
    @Test
    void noImportRunsUpAFloor() {
        for (int floor = 0; floor < FLOORS.size(); floor++) {
            List<String> allowed = new ArrayList<>();
            for (int below = 0; below <= floor; below++) for (String p : FLOORS.get(below)) allowed.add(pkg(p));
            for (String p : FLOORS.get(floor)) {
                ArchRule rule = noClasses().that().resideInAPackage(pkg(p))
                        .should().dependOnClassesThat(resideInAPackage("dev.mlm4j..").and(not(resideInAnyPackage(allowed.toArray(String[]::new)))))
                        .because(p + " is on floor " + floor + " and imports only " + Arrays.toString(FLOORS.subList(0, floor + 1).toArray()));
                rule.check(core);
            }
        }
    }

    /** The formats' edge knows tensors and config records only: it builds no model and reads no hub card. */
    @Test
    void weightsImportNoModelAndNoHub() {
        noClasses().that().resideInAPackage(pkg("weights"))
                .should().dependOnClassesThat().resideInAnyPackage(pkg("model"), pkg("hub"), pkg("encoder"), pkg("heads"),
                        pkg("embeddings"), pkg("tokens"))
                .check(core);
    }

    /** No two packages depend on each other, directly or through others (sub-packages count with their parent). */
    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.mlm4j.(*)..").should().beFreeOfCycles().check(core);
    }
}
