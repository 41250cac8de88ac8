package dev.mlm4j.langchain4j;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.mlm4j.pipelines.PublicApi;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** mlm4j-langchain4j reaches the core through its public API only ({@link PublicApi#PACKAGES}): no kernels, tensors, weights or model tree. */
class FrontEndArchitectureTest {

    @Test
    void importsOnlyThePublicApiOfTheCore() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.mlm4j.langchain4j");
        assertFalse(classes.isEmpty());
        noClasses().should().dependOnClassesThat(resideInAPackage("dev.mlm4j..").and(not(resideInAnyPackage(PublicApi.patternsWith("dev.mlm4j.langchain4j")))))
                .because("front ends use the core's public API only: " + PublicApi.PACKAGES)
                .check(classes);
    }
}
