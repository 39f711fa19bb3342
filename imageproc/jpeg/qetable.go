package jpeg

// qeEntry is one row of the probability estimation state machine of the QM
// coder (T.81 D.1.5.1, Table D.2): the LPS sub-interval Qe, the next state
// after an LPS and after an MPS (renormalisation), and whether an LPS at
// this state exchanges the sense of the MPS.
type qeEntry struct {
	qe         uint16
	nlps, nmps uint8
	sw         bool
}

// fixedState is the extra, non-adapting state 113 (Qe = X'5A1D', about
// one half) that codes the signs of AC coefficients (T.81 F.1.4.4.2,
// Figure F.22) and the refinement bits of progressive DC (G.1.3.1) and
// new AC signs (G.1.3.3). It is not part of Table D.2; libjpeg keeps it
// at the same index.
const fixedState = 113

// qeTable is T.81 Table D.2 (indexes 0 to 112) plus fixedState.
var qeTable = [114]qeEntry{
	{0x5A1D, 1, 1, true},      // 0
	{0x2586, 14, 2, false},    // 1
	{0x1114, 16, 3, false},    // 2
	{0x080B, 18, 4, false},    // 3
	{0x03D8, 20, 5, false},    // 4
	{0x01DA, 23, 6, false},    // 5
	{0x00E5, 25, 7, false},    // 6
	{0x006F, 28, 8, false},    // 7
	{0x0036, 30, 9, false},    // 8
	{0x001A, 33, 10, false},   // 9
	{0x000D, 35, 11, false},   // 10
	{0x0006, 9, 12, false},    // 11
	{0x0003, 10, 13, false},   // 12
	{0x0001, 12, 13, false},   // 13
	{0x5A7F, 15, 15, true},    // 14
	{0x3F25, 36, 16, false},   // 15
	{0x2CF2, 38, 17, false},   // 16
	{0x207C, 39, 18, false},   // 17
	{0x17B9, 40, 19, false},   // 18
	{0x1182, 42, 20, false},   // 19
	{0x0CEF, 43, 21, false},   // 20
	{0x09A1, 45, 22, false},   // 21
	{0x072F, 46, 23, false},   // 22
	{0x055C, 48, 24, false},   // 23
	{0x0406, 49, 25, false},   // 24
	{0x0303, 51, 26, false},   // 25
	{0x0240, 52, 27, false},   // 26
	{0x01B1, 54, 28, false},   // 27
	{0x0144, 56, 29, false},   // 28
	{0x00F5, 57, 30, false},   // 29
	{0x00B7, 59, 31, false},   // 30
	{0x008A, 60, 32, false},   // 31
	{0x0068, 62, 33, false},   // 32
	{0x004E, 63, 34, false},   // 33
	{0x003B, 32, 35, false},   // 34
	{0x002C, 33, 9, false},    // 35
	{0x5AE1, 37, 37, true},    // 36
	{0x484C, 64, 38, false},   // 37
	{0x3A0D, 65, 39, false},   // 38
	{0x2EF1, 67, 40, false},   // 39
	{0x261F, 68, 41, false},   // 40
	{0x1F33, 69, 42, false},   // 41
	{0x19A8, 70, 43, false},   // 42
	{0x1518, 72, 44, false},   // 43
	{0x1177, 73, 45, false},   // 44
	{0x0E74, 74, 46, false},   // 45
	{0x0BFB, 75, 47, false},   // 46
	{0x09F8, 77, 48, false},   // 47
	{0x0861, 78, 49, false},   // 48
	{0x0706, 79, 50, false},   // 49
	{0x05CD, 48, 51, false},   // 50
	{0x04DE, 50, 52, false},   // 51
	{0x040F, 50, 53, false},   // 52
	{0x0363, 51, 54, false},   // 53
	{0x02D4, 52, 55, false},   // 54
	{0x025C, 53, 56, false},   // 55
	{0x01F8, 54, 57, false},   // 56
	{0x01A4, 55, 58, false},   // 57
	{0x0160, 56, 59, false},   // 58
	{0x0125, 57, 60, false},   // 59
	{0x00F6, 58, 61, false},   // 60
	{0x00CB, 59, 62, false},   // 61
	{0x00AB, 61, 63, false},   // 62
	{0x008F, 61, 32, false},   // 63
	{0x5B12, 65, 65, true},    // 64
	{0x4D04, 80, 66, false},   // 65
	{0x412C, 81, 67, false},   // 66
	{0x37D8, 82, 68, false},   // 67
	{0x2FE8, 83, 69, false},   // 68
	{0x293C, 84, 70, false},   // 69
	{0x2379, 86, 71, false},   // 70
	{0x1EDF, 87, 72, false},   // 71
	{0x1AA9, 87, 73, false},   // 72
	{0x174E, 72, 74, false},   // 73
	{0x1424, 72, 75, false},   // 74
	{0x119C, 74, 76, false},   // 75
	{0x0F6B, 74, 77, false},   // 76
	{0x0D51, 75, 78, false},   // 77
	{0x0BB6, 77, 79, false},   // 78
	{0x0A40, 77, 48, false},   // 79
	{0x5832, 80, 81, true},    // 80
	{0x4D1C, 88, 82, false},   // 81
	{0x438E, 89, 83, false},   // 82
	{0x3BDD, 90, 84, false},   // 83
	{0x34EE, 91, 85, false},   // 84
	{0x2EAE, 92, 86, false},   // 85
	{0x299A, 93, 87, false},   // 86
	{0x2516, 86, 71, false},   // 87
	{0x5570, 88, 89, true},    // 88
	{0x4CA9, 95, 90, false},   // 89
	{0x44D9, 96, 91, false},   // 90
	{0x3E22, 97, 92, false},   // 91
	{0x3824, 99, 93, false},   // 92
	{0x32B4, 99, 94, false},   // 93
	{0x2E17, 93, 86, false},   // 94
	{0x56A8, 95, 96, true},    // 95
	{0x4F46, 101, 97, false},  // 96
	{0x47E5, 102, 98, false},  // 97
	{0x41CF, 103, 99, false},  // 98
	{0x3C3D, 104, 100, false}, // 99
	{0x375E, 99, 93, false},   // 100
	{0x5231, 105, 102, false}, // 101
	{0x4C0F, 106, 103, false}, // 102
	{0x4639, 107, 104, false}, // 103
	{0x415E, 103, 99, false},  // 104
	{0x5627, 105, 106, true},  // 105
	{0x50E7, 108, 107, false}, // 106
	{0x4B85, 109, 103, false}, // 107
	{0x5597, 110, 109, false}, // 108
	{0x504F, 111, 107, false}, // 109
	{0x5A10, 110, 111, true},  // 110
	{0x5522, 112, 109, false}, // 111
	{0x59EB, 112, 111, true},  // 112
	{0x5A1D, 113, 113, false}, // 113
}
