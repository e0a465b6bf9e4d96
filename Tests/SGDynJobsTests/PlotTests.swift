import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SGDynCore
import Testing
@testable import SGDynJobs

/// Counts the elements of an SVG by name and by class, and fails on malformed XML.
final class SVGCounter: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var classes: [String: Int] = [:]
    var texts: [String] = []

    static func parse(_ text: String) -> SVGCounter? {
        let counter = SVGCounter()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = counter
        return parser.parse() ? counter : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
        if let c = attributes["class"] { classes[c, default: 0] += 1 }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
}

@Suite("Plots")
struct PlotTests {
    /// A job and made-up outcomes (no simulation needed): ε_g decaying like a power law, with
    /// seed-dependent noise, R growing towards the teacher.
    static func synthetic(seeds: Int, sweep: String = "", odes: Bool = true, poison: Bool = false)
        throws -> (JobSpec, [RunOutcome], [ODEOutcome]) {
        let job = #"{"name": "synthetic", "N": 100, "K": 2, "M": 2, "t_max": 100, "points": 20, "seeds": \#(seeds)\#(sweep)}"#
        let spec = try JobParser.parse(Array(job.utf8), defaultName: "synthetic")
        func op(_ t: Double, _ wobble: Double) -> OrderParameters {
            let r = 1 - 1 / (1 + t)
            return OrderParameters(K: 2, M: 2, Q: [1 + wobble, 0.1, 0.1, 1], R: [r, 0.1, 0.1, r * 0.9], T: [1, 0, 0, 1],
                                   v: [1, 1], vstar: [1, 1])
        }
        let times = [0.0] + (0..<20).map { pow(10, -1 + 3 * Double($0) / 19) }
        var outcomes: [RunOutcome] = [], odeOutcomes: [ODEOutcome] = []
        for point in spec.points {
            for seed in spec.seeds {
                let wobble = Double(seed % 7) * 0.01
                let records = times.enumerated().map { i, t in
                    var eg = 0.5 / (1 + t) * (1 + wobble) / Double(point.index + 1)
                    if poison && seed == 0 { eg = [Double.nan, .infinity, 0, -1, eg][i % 5] }
                    return SimulationRecord(step: Int(t * 100), t: t, eg: eg, orderParameters: op(t, wobble))
                }
                outcomes.append(RunOutcome(pointIndex: point.index, seed: seed, records: records,
                                           steps: point.parameters.totalSteps))
            }
            if odes {
                let records = times.map { ODERecord(t: $0, eg: 0.5 / (1 + $0) / Double(point.index + 1), orderParameters: op($0, 0)) }
                let statistics = ODEIntegrationStatistics(method: .rk4(dt: 0.01), steps: 1, rejectedSteps: 0, rhsEvaluations: 4, errorEstimate: 0)
                odeOutcomes.append(ODEOutcome(pointIndex: point.index, seed: nil,
                                              result: ODEResult(parameters: try ODEParameters(simulation: point.parameters),
                                                                records: records, statistics: statistics)))
            }
        }
        return (spec, outcomes, odeOutcomes)
    }

    static func text(_ files: [BundleFile], _ path: String) -> String? {
        files.first { $0.path == path }.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    @Test("eg.svg is well-formed XML with one thin line per seed, one mean, one band and one ODE")
    func egPlot() throws {
        let (spec, outcomes, odes) = try Self.synthetic(seeds: 50)
        let files = BundlePlots.files(spec: spec, outcomes: outcomes, odes: odes)
        #expect(files.map(\.path) == ["eg.svg", "order-parameters.svg"])
        let svg = try #require(Self.text(files, "eg.svg"))
        let counts = try #require(SVGCounter.parse(svg), "eg.svg is not well-formed XML")
        #expect(counts.classes["seed"] == 50 && counts.classes["mean"] == 1 && counts.classes["band"] == 1 && counts.classes["ode"] == 1)
        #expect(svg.contains("synthetic (simulate)") && svg.contains("N=100") && svg.contains("50 seeds"))
        let orderText = try #require(Self.text(files, "order-parameters.svg"))
        let orderParameters = try #require(SVGCounter.parse(orderText))
        #expect(orderParameters.classes["R"] == 4 && orderParameters.classes["Q"] == 3 && orderParameters.classes["v"] == nil)
    }

    @Test("log axes widen to whole decades and put a labelled tick at every one")
    func decadeTicks() {
        let axis = PlotAxis(label: "t", logarithmic: true, values: [0.003, 0, -2, .nan, .infinity, 42])
        // The data span several decades: the axis keeps its range and ticks every decade in it.
        #expect(abs(axis.lower - 0.003) < 1e-12 && abs(axis.upper - 42) < 1e-9)
        #expect(axis.majorTicks.map { log10($0) } == [-2, -1, 0, 1])
        #expect(axis.minorTicks.count >= 30 && axis.minorTicks.allSatisfy { $0 >= axis.lower && $0 <= axis.upper })
        #expect(axis.tickMarkup(1e-3).contains("\u{2212}3") && axis.tickMarkup(1) == "1")
        // Less than a decade: widened to whole decades, so there are still two decade ticks.
        let narrow = PlotAxis(label: "eg", logarithmic: true, values: [0.02, 0.05])
        #expect(narrow.majorTicks.map { log10($0) } == [-2, -1])
        let wide = PlotAxis(label: "eg", logarithmic: true, values: [1e-20, 1])
        #expect(wide.majorTicks.count <= 11 && wide.majorTicks.allSatisfy { log10($0) == log10($0).rounded() })
        let empty = PlotAxis(label: "eg", logarithmic: true, values: [.nan, 0])
        #expect(empty.lower == 0.1 && empty.upper == 1)
    }

    @Test("the same results give the same bytes, and NaN, inf, zero and negative values are skipped")
    func determinismAndBadValues() throws {
        let (spec, outcomes, odes) = try Self.synthetic(seeds: 3, poison: true)
        let first = BundlePlots.files(spec: spec, outcomes: outcomes, odes: odes)
        let second = BundlePlots.files(spec: spec, outcomes: outcomes, odes: odes)
        #expect(first.map(\.bytes) == second.map(\.bytes))
        for file in first {
            let svg = String(decoding: file.bytes, as: UTF8.self)
            #expect(SVGCounter.parse(svg) != nil, "\(file.path)")
            #expect(!svg.lowercased().contains("nan") && !svg.lowercased().contains("inf"), "\(file.path)")
        }
    }

    @Test("sweep.svg has a panel per swept key and a curve per value of the other key")
    func sweepPlot() throws {
        let (spec, outcomes, odes) = try Self.synthetic(seeds: 2, sweep: #", "sweep": {"K": [2, 3, 20], "lr": [0.1, 0.5]}"#)
        let files = BundlePlots.files(spec: spec, outcomes: outcomes, odes: odes)
        #expect(files.count == 6 * 2 + 1 && files.contains { $0.path == "K=20_lr=0.5/eg.svg" })
        let svg = try #require(Self.text(files, "sweep.svg"))
        let counts = try #require(SVGCounter.parse(svg))
        // Panel K: 2 curves (lr) of 3 points; panel lr: 3 curves (K) of 2 points; each with its ODE.
        #expect(counts.classes["sweep-mean"] == 5 && counts.classes["sweep-ode"] == 5 && counts.classes["errorbar"] == 12)
        #expect(svg.contains("final ε_g against K") && svg.contains("final ε_g against lr"))
    }

    @Test("a real bundle lists its plots in result.json")
    func bundleListsPlots() throws {
        let job = #"{"name": "tiny-plots", "N": 40, "K": 2, "t_max": 1, "points": 5, "seeds": 2, "train_second_layer": true}"#
        let spec = try JobParser.parse(Array(job.utf8), defaultName: "tiny-plots")
        let outcomes = try JobRunner.run(spec, threads: 1).runs
        let files = ResultBundle.simulation(spec: spec, jobBytes: Array(job.utf8), outcomes: outcomes,
                                            timing: Timing(startedAt: Date(), finishedAt: Date(), steps: 0), log: [])
        let result = try JSONParser.parse(files[0].bytes)
        #expect(result["files"]?["plots"] == .array([.string("eg.svg"), .string("order-parameters.svg")]))
        let orderText = try #require(Self.text(files, "order-parameters.svg"))
        let orderParameters = try #require(SVGCounter.parse(orderText))
        #expect(orderParameters.classes["v"] == 2)
    }
}
