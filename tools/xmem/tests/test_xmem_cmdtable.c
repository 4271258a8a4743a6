#include "config.h"
#include "../../../tests/cmocka_all.h"
int main(void){return 0;}
