import Foundation
import SGDynCore

/// How a unit's simulation parameters are stored in the job database: JSON with sorted keys, so
/// the same parameters always give the same text.
public enum UnitParameters {
    public static func encode(_ parameters: SimulationParameters) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a plain struct of numbers, strings and enums cannot fail.
        return String(decoding: try! encoder.encode(parameters), as: UTF8.self)
    }

    public static func decode(_ json: String) throws -> SimulationParameters {
        try JSONDecoder().decode(SimulationParameters.self, from: Data(json.utf8))
    }
}
