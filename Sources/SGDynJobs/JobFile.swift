import SGDynCore
