import { NestFactory } from '@nestjs/core';
import { Module, Controller, Get } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { X } from '@app/core';

class D { name: string; }
@Controller('x')
class C { @Get() get(): D { return { name: X }; } }
@Module({ controllers: [C] })
class M {}
async function main() { const app = await NestFactory.create(M); await app.listen(3999); console.log('ok'); await app.close(); }
void main();
