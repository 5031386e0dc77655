package io.keelson.kernel.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The artifact's surface: the extension, the cluster it starts and the cluster's clock. */
class TestingArchitectureTest {
    private static final JavaClasses TESTING = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.keelson.kernel.testing");

    @Test
    void publicTypes_areTheExtensionTheClusterAndTheClock() {
        classes().that().arePublic().and().areTopLevelClasses().should().haveSimpleName("KernelExtension")
                .orShould().haveSimpleName("SimulatedCluster").orShould().haveSimpleName("ManualClock")
                .check(TESTING);
    }
}
