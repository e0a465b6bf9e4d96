import SGDynCore
import SGDynJobs

/// Snapshots (at the start, midway and at the end), finished runs' records and work units of
/// small jobs of every kind: online, mini-batch, finite training set, a trained second layer,
/// the three activations, the three integrators, drawn and explicit initial conditions, and a
/// simulation and an integration that diverge.
enum RunSeeds {
    static let jobs: [(name: String, json: String)] = [
        ("erf", #"{"N": 20, "K": 2, "M": 2, "t_max": 2, "points": 4}"#),
        ("relu-batch", #"{"activation": "relu", "N": 16, "K": 3, "M": 2, "t_max": 1, "points": 3, "train_second_layer": true, "batch_size": 2, "mc_test_set": 10, "teacher_second_layer": "random"}"#),
        ("linear-finite", #"{"activation": "linear", "N": 12, "K": 1, "M": 1, "t_max": 2, "points": 3, "training_set": 2, "student_init": "informed"}"#),
        ("linear-diverging", #"{"activation": "linear", "N": 10, "K": 2, "M": 1, "lr": 50, "t_max": 5, "points": 3}"#),
        ("ode-adaptive", #"{"kind": "ode", "N": 20, "K": 2, "M": 1, "t_max": 2, "points": 4}"#),
        ("ode-rk4-explicit", #"{"kind": "ode", "activation": "relu", "K": 1, "M": 1, "t_max": 1, "points": 3, "ode": {"method": "rk4", "dt": 0.05}, "initial": {"Q": [[1]], "R": [[0.1]], "T": [[1]], "v": [1], "vstar": [1]}}"#),
        ("compare-euler", #"{"kind": "compare", "N": 16, "K": 2, "M": 2, "t_max": 1, "points": 3, "train_second_layer": true, "ode": {"method": "euler", "dt": 0.05}}"#),
        ("ode-diverging", #"{"kind": "ode", "activation": "linear", "N": 10, "K": 2, "M": 1, "lr": 50, "t_max": 5, "points": 3}"#),
    ]

    static func write(into corpus: inout SeedCorpus) {
        for job in jobs {
            let spec: JobSpec
            do { spec = try JobParser.parse(Array(job.json.utf8), defaultName: job.name) } catch {
                fatalError("seed job \(job.name) is not valid: \(error)")
            }
            for (index, unit) in JobPlan.units(of: spec).prefix(2).enumerated() {
                let name = "\(job.name)-\(index)"
                corpus.add("work-unit", name, unit.work.encoded())
                switch unit.work.work {
                case .simulation(let parameters):
                    simulation(parameters, name: name, into: &corpus)
                case .ode(let work):
                    ode(work, name: name, into: &corpus)
                }
            }
        }
    }

    static func simulation(_ parameters: SimulationParameters, name: String, into corpus: inout SeedCorpus) {
        var run = Simulation(parameters: parameters)
        corpus.add("simulation-snapshot", name + "-start", run.snapshot())
        run.advance(maxSteps: run.totalSteps / 2)
        corpus.add("simulation-snapshot", name + "-middle", run.snapshot())
        corpus.add("records-snapshot", name + "-middle", run.recordsSnapshot())
        run.runToEnd()
        corpus.add("simulation-snapshot", name + "-end", run.snapshot())
        corpus.add("records-snapshot", name + "-end", run.recordsSnapshot())
    }

    static func ode(_ work: ODEWork, name: String, into corpus: inout SeedCorpus) {
        var ode: ODEIntegration
        do {
            ode = try ODEIntegration(parameters: try ODEParameters(simulation: work.parameters), initial: work.initialConditions(),
                                     times: work.outputTimes, method: work.method)
        } catch {
            fatalError("seed integration \(name) cannot start: \(error)")
        }
        corpus.add("ode-snapshot", name + "-start", ode.snapshot())
        ode.advance(maxSteps: 3)
        corpus.add("ode-snapshot", name + "-middle", ode.snapshot())
        while !ode.isFinished { ode.advance(maxSteps: 1000) }
        corpus.add("ode-snapshot", name + "-end", ode.snapshot())
    }
}
