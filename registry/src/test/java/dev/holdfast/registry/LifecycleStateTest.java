package dev.holdfast.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.holdfast.registry.LifecycleState.ACTIVE;
import static dev.holdfast.registry.LifecycleState.DECOMMISSIONED;
import static dev.holdfast.registry.LifecycleState.PROVISIONED;
import static dev.holdfast.registry.LifecycleState.QUARANTINED;
import static dev.holdfast.registry.LifecycleState.REGISTERED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lifecycle matrix of docs/registry.md, cell by cell. */
class LifecycleStateTest {

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
            "registered, registered, unchanged", "registered, provisioned, allowed", "registered, active, forbidden",
            "registered, quarantined, forbidden", "registered, decommissioned, allowed",
            "provisioned, registered, forbidden", "provisioned, provisioned, unchanged", "provisioned, active, allowed",
            "provisioned, quarantined, allowed", "provisioned, decommissioned, allowed",
            "active, registered, forbidden", "active, provisioned, allowed", "active, active, unchanged",
            "active, quarantined, allowed", "active, decommissioned, allowed",
            "quarantined, registered, forbidden", "quarantined, provisioned, forbidden", "quarantined, active, allowed",
            "quarantined, quarantined, unchanged", "quarantined, decommissioned, allowed",
            "decommissioned, registered, forbidden", "decommissioned, provisioned, forbidden", "decommissioned, active, forbidden",
            "decommissioned, quarantined, forbidden", "decommissioned, decommissioned, unchanged"})
    void transition_followsTheMatrix(String from, String to, String expected) {
        LifecycleState.Transition t = LifecycleState.parse(from).transitionTo(LifecycleState.parse(to));
        String kind = switch (t) {
            case LifecycleState.Transition.Allowed a -> "allowed";
            case LifecycleState.Transition.Unchanged u -> "unchanged";
            case LifecycleState.Transition.Forbidden f -> "forbidden";
        };
        assertThat(kind).isEqualTo(expected);
    }

    @Test
    void decommissioned_isTheOnlyTerminalState_andEveryOtherStateCanReachIt() {
        for (LifecycleState s : LifecycleState.values()) {
            assertThat(s.isTerminal()).as(s.wireName()).isEqualTo(s == DECOMMISSIONED);
            if (s != DECOMMISSIONED) assertThat(s.next()).contains(DECOMMISSIONED);
        }
    }

    @Test
    void forbidden_explainsWhereTheStateMayGo() {
        var f = (LifecycleState.Transition.Forbidden) QUARANTINED.transitionTo(PROVISIONED);
        assertThat(f.explanation()).isEqualTo("lifecycle cannot go from quarantined to provisioned (from quarantined only to active, decommissioned)");
        var terminal = (LifecycleState.Transition.Forbidden) DECOMMISSIONED.transitionTo(ACTIVE);
        assertThat(terminal.explanation()).contains("decommissioned is terminal");
        assertThat(REGISTERED.transitionTo(PROVISIONED)).isEqualTo(new LifecycleState.Transition.Allowed(REGISTERED, PROVISIONED));
    }

    @Test
    void parse_refusesUnknownNamesWithTheList() {
        assertThatThrownBy(() -> LifecycleState.parse("Active"))
                .isInstanceOfSatisfying(RegistryRefusedException.class, e -> {
                    assertThat(e.refusal()).isInstanceOf(RegistryRefusal.Invalid.class);
                    assertThat(e.refusal().message()).contains("'Active'").contains("registered, provisioned, active, quarantined or decommissioned");
                });
    }
}
