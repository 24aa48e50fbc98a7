/* SPDX-License-Identifier: Apache-2.0
 * medtwin/medtwin.h — umbrella header of the medtwin library. */
#ifndef MEDTWIN_H
#define MEDTWIN_H
#include "csv.h"
#include "data.h"
#include "drugcard.h"
#include "error.h"
#include "exposure.h"
#include "fit.h"
#include "interval.h"
#include "mipd.h"
#include "model.h"
#include "partition.h"
#include "pbpk.h"
#include "pgx.h"
#include "physiology.h"
#include "plot.h"
#include "poppk.h"
#include "predict.h"
#include "profile.h"
#include "regimen.h"
#include "risk.h"
#include "rng.h"
#include "sim.h"
#include "twin.h"
#include "validate.h"
#endif
