/* SPDX-License-Identifier: Apache-2.0
 *
 * util/xmlinit.c — libxml2's process-wide initialisation, once (util/util.h). libxml2 sets up its
 * globals (character-encoding handlers, ...) on first use unless xmlInitParser() ran before;
 * two threads that parse for the first time at once (two SBML uploads to the node) both set
 * them up and one set is lost (LeakSanitizer found it; tests/integration/node_durability.py). Every
 * caller that parses XML, through libSBML or libxml2 itself, calls mt_xml_init() first.
 */
#include "util/util.h"

#include <libxml/parser.h>
#include <pthread.h>

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void) { xmlInitParser(); }

void mt_xml_init(void) { pthread_once(&xml_once, xml_init_once); }
