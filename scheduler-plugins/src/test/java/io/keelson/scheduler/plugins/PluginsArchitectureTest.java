package io.keelson.scheduler.plugins;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The plugins stand on the framework's SPI only: never on the scheduler's runtime, and never on each other
 * (shared code lives in {@code helper}).
 */
class PluginsArchitectureTest {
    private static final JavaClasses PLUGINS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.keelson.scheduler.plugins");

    @Test
    void plugins_useTheSpi_notTheRuntime() {
        noClasses().should().dependOnClassesThat().resideInAPackage("io.keelson.kernel.scheduler")
                .because("the runtime is the kernel's own; plugins see the framework SPI")
                .check(PLUGINS);
    }

    @Test
    void pluginPackages_doNotDependOnEachOther() {
        slices().matching("io.keelson.scheduler.plugins.(*)..").should().notDependOnEachOther()
                .ignoreDependency(com.tngtech.archunit.base.DescribedPredicate.alwaysTrue(),
                        com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(
                                "io.keelson.scheduler.plugins.helper"))
                .check(PLUGINS);
    }
}
