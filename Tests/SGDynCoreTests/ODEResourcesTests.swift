import Testing
@testable import SGDynCore

/// `ODEResources`: what job validation and the scheduler are told about an ODE integration.
@Suite struct ODEResourcesTests {
    /// workspaceBytes is exactly what the workspace allocates, for every activation, across the
    /// sizes where ReLU's per-set table is kept (K + M ≤ 40) and dropped.
    @Test(arguments: GaussianIntegrals.activations)
    func workspaceBytesIsWhatTheWorkspaceAllocates(_ activation: Activation) {
        for K in [1, 2, 3, 5, 8, 20, 37, 38, 39, 64] {
            for M in [1, 2, 3, 5] {
                let workspace = ODEWorkspace(K: K, M: M, activation: activation)
                #expect(workspace.allocatedBytes == ODEResources.workspaceBytes(K: K, M: M, activation: activation),
                        "\(activation) K = \(K), M = \(M)")
            }
        }
    }

    /// The workspace no longer grows like K⁴: at K = 500, M = 2 (126 GB for erf before) it is a
    /// few MB for every activation: (K + M)² doubles a handful of times, ≈ 2 MB each.
    @Test func workspaceIsQuadraticInTheFields() {
        for activation in GaussianIntegrals.activations {
            let bytes = ODEResources.workspaceBytes(K: 500, M: 2, activation: activation)
            #expect(bytes < 24_000_000, "\(activation): \(bytes) bytes")
        }
        // The ReLU per-set table at its largest (K + M = 40): 8·C(40, 4) doubles = 5.8 MB.
        let largestTable = ODEResources.workspaceBytes(K: 38, M: 2, activation: .relu)
            - ODEResources.workspaceBytes(K: 38, M: 2, activation: .erf)
        #expect(largestTable > 5_800_000 && largestTable < 6_000_000)
    }

    /// rightHandSideCost: positive and growing with K for each activation, and ReLU costs more
    /// than erf, which costs more than linear (what the fitted formulas say; the figures
    /// themselves are measurements, see its documentation).
    @Test func rightHandSideCostGrowsWithSize() {
        for activation in GaussianIntegrals.activations {
            var previous = 0.0
            for K in [1, 2, 4, 8, 16, 32, 64] {
                let cost = ODEResources.rightHandSideCost(K: K, M: 2, activation: activation)
                #expect(cost > previous && cost.isFinite, "\(activation) K = \(K): \(cost)")
                previous = cost
            }
        }
        for K in [2, 8, 32] {
            let relu = ODEResources.rightHandSideCost(K: K, M: 2, activation: .relu)
            let erf = ODEResources.rightHandSideCost(K: K, M: 2, activation: .erf)
            let linear = ODEResources.rightHandSideCost(K: K, M: 2, activation: .linear)
            #expect(relu > erf && erf > linear)
        }
    }
}
