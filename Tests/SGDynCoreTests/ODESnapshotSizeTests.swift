import Testing
@testable import SGDynCore

/// `ODEResources.snapshotBytes`, which job validation bounds an ODE unit's checkpoint and
/// result by, is the size `ODEIntegration.snapshot()` really has: before the start, midway and
/// at the end, for every activation and both second-layer settings.
@Suite struct ODESnapshotSizeTests {
    @Test(arguments: ODEIntegrationTests.problems.indices)
    func snapshotBytesIsExact(_ index: Int) throws {
        let (parameters, initial, times) = ODEIntegrationTests.problem(index)
        for method: ODEMethod in [.adaptive(rtol: 1e-8, atol: 1e-12), .euler(dt: 0.05)] {
            var integration = try ODEIntegration(parameters: parameters, initial: initial, times: times, method: method)
            for steps in [0, 7, Int.max] {
                _ = integration.advance(maxSteps: steps)
                let expected = ODEResources.snapshotBytes(K: initial.K, M: initial.M, trainSecondLayer: parameters.trainSecondLayer,
                                                          times: times.count, records: integration.result.records.count)
                #expect(integration.snapshot().count == expected, "problem \(index), \(method), after \(steps) steps")
            }
            #expect(integration.result.records.count == times.count)
        }
    }
}
