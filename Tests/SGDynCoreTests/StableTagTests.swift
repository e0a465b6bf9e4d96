import Testing
@testable import SGDynCore

/// The on-disk tags of every enumeration that snapshots and work units store (StableTags.swift;
/// activations: `ActivationTableTests`). These lists are the contract: a changed tag makes stored
/// files read as another case, so each may only grow. And the bytes themselves: work units covering
/// every tagged case, pinned by their SHA-256 as main wrote them before the tags were declared
/// (when the tags were `allCases` positions), so the declared tags are those positions exactly.
@Suite struct StableTagTests {
    static let studentInit: [StudentInit: UInt8] = [.large: 0, .small: 1, .mixed: 2, .informed: 3, .denoise: 4]
    static let learningTask: [LearningTask: UInt8] = [.regress: 0, .classify: 1]
    static let teacherSecondLayer: [(TeacherSecondLayer, UInt8)] = [
        (.ones, 0), (.random, 1), (.normalise, 2), (.meanfield, 3), (.mix, 4), (.constant(0.25), 5),
    ]
    static let odeMethod: [(ODEMethod, UInt8)] = [(.euler(dt: 0.01), 0), (.rk4(dt: 0.01), 1), (.adaptive(rtol: 1e-8, atol: 1e-12), 2)]
    static let odeStart: [(ODEWork.Start, UInt8)] = [(.drawn, 0), (.explicit(Self.order), 1)]
    static let odeTimes: [ODEWork.Times: UInt8] = [.requested: 0, .simulationRecords: 1]

    /// The tags of `SimulationParameters.laterKeys` (the extension block's tail) and their keys,
    /// in order: the list there must start with these (a key added since may follow, and be added here).
    static let laterKeyTags: [(tag: UInt8, name: String)] = []

    static let order = OrderParameters(K: 2, M: 2, Q: [1, 0, 0, 1], R: [0.5, 0, 0, 0.5], T: [1, 0, 0, 1], v: [1, 1], vstar: [1, 1])

    @Test("every case of a caseless-payload enumeration has exactly its listed tag, and reads back from it")
    func caseIterableTags() {
        #expect(Dictionary(uniqueKeysWithValues: StudentInit.allCases.map { ($0, $0.tag) }) == Self.studentInit)
        #expect(Dictionary(uniqueKeysWithValues: LearningTask.allCases.map { ($0, $0.tag) }) == Self.learningTask)
        #expect(Dictionary(uniqueKeysWithValues: ODEWork.Times.allCases.map { ($0, $0.tag) }) == Self.odeTimes)
        for c in StudentInit.allCases { #expect(StudentInit(tag: c.tag) == c) }
        for c in LearningTask.allCases { #expect(LearningTask(tag: c.tag) == c) }
        for c in ODEWork.Times.allCases { #expect(ODEWork.Times(tag: c.tag) == c) }
        #expect(StudentInit(tag: 200) == nil && LearningTask(tag: 2) == nil && ODEWork.Times(tag: 2) == nil)
    }

    @Test("every case of an enumeration with payloads has exactly its listed tag")
    func payloadTags() {
        for (layer, tag) in Self.teacherSecondLayer {
            #expect(layer.tag == tag, "\(layer)")
            let value: Double = if case .constant(let a) = layer { a } else { 0 }
            #expect(TeacherSecondLayer(tag: tag, value: value) == layer)
        }
        #expect(TeacherSecondLayer(tag: 6, value: 0) == nil)
        for (method, tag) in Self.odeMethod { #expect(method.tag == tag, "\(method)") }
        for (start, tag) in Self.odeStart { #expect(start.tag == tag, "\(start)") }
        #expect(WorkUnit.Work.simulation(SimulationParameters()).tag == 0)
        #expect(WorkUnit.Work.ode(ODEWork(parameters: SimulationParameters(), method: .standard, start: .drawn, times: .requested)).tag == 1)
    }

    @Test("the later keys keep their tags, unique and ascending")
    func laterKeys() {
        let tags = SimulationParameters.laterKeys.map(\.tag)
        let pinned = Self.laterKeyTags
        #expect(SimulationParameters.laterKeys.count >= pinned.count)
        for (key, stored) in zip(SimulationParameters.laterKeys, pinned) { #expect(key.tag == stored.tag && key.name == stored.name, "\(stored)") }
        #expect(tags == tags.sorted() && Set(tags).count == tags.count)
    }

    @Test("the extension block's flags: its size is what is written, and unknown flags or tail tags are refused")
    func extensionFlags() throws {
        var p = SimulationParameters(N: 20, tMax: 1, points: 2)
        p.task = .classify
        p.labelFlip = 0.1
        var writer = ByteWriter()
        writer.write(parameterExtensions: p)
        #expect(writer.bytes.count == ByteWriter.parameterExtensionBytes(p))
        func read(_ bytes: [UInt8]) throws(SnapshotError) -> SimulationParameters {
            var q = SimulationParameters(N: 20, tMax: 1, points: 2)
            var reader = ByteReader(bytes)
            try reader.readParameterExtensions(into: &q)
            return q
        }
        #expect(try read(writer.bytes) == p)
        let fixed = Array(writer.bytes.prefix(ByteWriter.parameterExtensionBytes - 1))
        var tail = ByteWriter()
        tail.write(UInt8(1))
        tail.write(UInt8(250))
        tail.write(2.0)
        for bytes in [fixed + [4], fixed + [2, 0], fixed + [2] + tail.bytes] {
            #expect(throws: SnapshotError.self) { try read(bytes) }
        }
    }

    /// One work unit per tagged case (and per case of the extension block), named.
    static func units() -> [(name: String, unit: WorkUnit)] {
        let base = SimulationParameters(N: 20, M: 2, K: 2, tMax: 1, points: 2, seed: 3)
        var units: [(String, WorkUnit)] = []
        for (initial, _) in studentInit.sorted(by: { $0.value < $1.value }) {
            var p = base
            p.studentInit = initial
            p.trainSecondLayer = initial == .denoise
            units.append(("student_init \(initial.rawValue)", WorkUnit(.simulation(p))))
        }
        for (layer, _) in teacherSecondLayer {
            var p = base
            p.teacherSecondLayer = layer
            units.append(("teacher_second_layer \(layer)", WorkUnit(.simulation(p))))
        }
        var classify = base
        classify.task = .classify
        classify.labelFlip = 0.1
        units.append(("task classify", WorkUnit(.simulation(classify))))
        for (method, _) in odeMethod {
            for (start, _) in odeStart {
                for times in [ODEWork.Times.requested, .simulationRecords] {
                    units.append(("ode \(method) \(start.tag) \(times)", WorkUnit(.ode(ODEWork(parameters: base, method: method, start: start, times: times)))))
                }
            }
        }
        return units
    }

    /// SHA-256 of each unit's `encoded()` bytes, as main (b942960, enumerations stored by position) wrote them.
    static let goldenDigests: [String: String] = [
        "ode adaptive(rtol: 1e-08, atol: 1e-12) 0 requested": "afe9b50986e2c5e51aff29f975fa0fab30421be90a12d4a2aec6b5c6e8ef474e",
        "ode adaptive(rtol: 1e-08, atol: 1e-12) 0 simulationRecords": "c6d68c2ad37787808b0d64b5ba9857669d4825dd1d9e0549a38817dfdcc1f6a1",
        "ode adaptive(rtol: 1e-08, atol: 1e-12) 1 requested": "cc6305d4185b4c8c577ceb6338b36dafc86d70c4d13f4dbe5b5f493c5b926539",
        "ode adaptive(rtol: 1e-08, atol: 1e-12) 1 simulationRecords": "76811b4e51517c2f7c7e257d4a78e55945937230f078549dacf6ef80998a8ac5",
        "ode euler(dt: 0.01) 0 requested": "1db6cc03227d8eccdbc6ecf6aba366d117da08c94387515c1fbd76baea0f454e",
        "ode euler(dt: 0.01) 0 simulationRecords": "f6c19025c3f8ed399fb691ae465ecd736abfbd3868351ced328ce929e13aaafd",
        "ode euler(dt: 0.01) 1 requested": "aff6945b85b9bb088f3fe61da9958977c55cfd6d0c23e434949b43938a2965c9",
        "ode euler(dt: 0.01) 1 simulationRecords": "ce6df8773d59d9562fe04d896a0fbeb660fafff1ce2961a5f6dd45a1304e9ce2",
        "ode rk4(dt: 0.01) 0 requested": "e8a40c062563ed36fe7454e7791d21fa0371e3019a9079a7c6d5a6130e75e33c",
        "ode rk4(dt: 0.01) 0 simulationRecords": "c2e4e5b9792e59720a8969b76e0108f2306d72bec3767c4d0e22d37f617d1cad",
        "ode rk4(dt: 0.01) 1 requested": "d43ab35c945df4142345f8d03d406787ce979477851c6da9a94d70000a7da214",
        "ode rk4(dt: 0.01) 1 simulationRecords": "b9b0bf358c38c0d9b93aac920d43f225313b220897fff7a11e0100b3f905527e",
        "student_init denoise": "1b9199572f9b32fbecf45c3d8fad21741142ffdcaedc4c78cbf4373b40debc6e",
        "student_init informed": "dc064c19d6ab24173d6593dba8d52895ba7e73dc81289f92c0105f1dc2ce6e07",
        "student_init large": "76ba078f483a04070898de78db6dbb4bbf4ceafb7f7c5f16a98cbce1893aa9bf",
        "student_init mixed": "26c7994bd9fe16473c990dcb8aa3907b44ac8c36d440411051326915eb1ae0c5",
        "student_init small": "023ab936c36950300620a817f9adeaaa3a7cad10ebdedabb7abbf2a3e454a7f6",
        "task classify": "895c8a2f518eac1a0c685977ddb2717786e2c7583c793a522093dfad361e819d",
        "teacher_second_layer constant(0.25)": "57134708c46f332c646d16a7c2b0758d024d31c08d3882cd886c02fb00e8bddd",
        "teacher_second_layer meanfield": "4cd3228890dcf1bac8d6f821152a5ca152d4a84136f673d27c9ab194247d0f97",
        "teacher_second_layer mix": "93b7e831ca3007fe21a1405155b5a5b8e0718f98993f36954e2cc57200a0e1fb",
        "teacher_second_layer normalise": "038dd61d6bdbbac29497a05f0bf5e3019a392ab91c41de6789e6b66e9b7b3ef3",
        "teacher_second_layer ones": "76ba078f483a04070898de78db6dbb4bbf4ceafb7f7c5f16a98cbce1893aa9bf",
        "teacher_second_layer random": "cb46beffebd49d57e3a8c1598f64bcddcf69967f002cf35b19bc97c66096aeb6",
    ]

    @Test("work units of every tagged case keep their bytes, and read back as themselves")
    func unitBytes() throws {
        for (name, unit) in Self.units() {
            let bytes = unit.encoded()
            #expect(try WorkUnit(encoded: bytes) == unit, "\(name)")
            let digest = SHA256.hexDigest(bytes)
            #expect(Self.goldenDigests[name] == digest, "\(name): \"\(name)\": \"\(digest)\",")
        }
        #expect(Self.goldenDigests.count == Self.units().count)
    }
}
